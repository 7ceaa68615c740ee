"""Helpers of scripts/console-browser-test.py: the host under test, tokens, API calls and
Selenium steps that survive the console's periodic re-render."""
import json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("PAKA_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
ARTIFACTS = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".paka", "artifacts"))
PROCESSORS = ["DocumentProcessor", "NotificationProcessor", "AuditLogger", "ReportGenerator"]
SECRET = "console-browser-test-secret-0123456789"
MARKUP = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait


def fail(message):
    print(f"console browser test FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def start_host(work, brokers="embedded", log_name="console-host.log"):
    plugin_dir = os.path.join(work, "plugins")
    os.makedirs(plugin_dir, mode=0o755)
    os.chmod(work, 0o755)
    for product in PROCESSORS:
        shutil.copyfile(os.path.join(BIN, f"lib{product}.so"), os.path.join(plugin_dir, f"lib{product}.so"))
        os.chmod(os.path.join(plugin_dir, f"lib{product}.so"), 0o644)
    compile_marker(os.path.join(plugin_dir, "libmarker.so"), fixed=False)
    compile_fixture("crashing.c", os.path.join(plugin_dir, "libcrashing.so"))
    plugins_file = os.path.join(work, "plugins.json")
    config = json.load(open(os.path.join(ROOT, "plugins.json")))
    config["plugins"].append({"name": "marker", "library": "libmarker.so", "enabled": True, "topics": ["audit.event"]})
    # Process-isolated: an audit event whose note is "segv" kills its worker (the crash history).
    config["plugins"].append({"name": "crashing", "library": "libcrashing.so", "enabled": True, "topics": ["audit.event"],
                              "groupId": "console-test-crashing", "isolation": "process"})
    with open(plugins_file, "w") as f:
        json.dump(config, f, indent=2)
    port = free_port()
    env = dict(os.environ, KAFKA_BROKERS=brokers, PORT=str(port), PAKA_BIND="127.0.0.1", JWT_SECRET=SECRET,
               PAKA_PLUGINS_FILE=plugins_file, PAKA_PLUGIN_DIR=plugin_dir, PAKA_DATA_DIR=os.path.join(work, "data"))
    log = open(os.path.join(ARTIFACTS, log_name), "w")
    host = subprocess.Popen([os.path.join(BIN, "paka"), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if host.poll() is not None:
            fail("paka serve exited before listening (see console-host.log)")
        try:
            urllib.request.urlopen(url + "/health", timeout=2)
            return host, url, plugins_file
        except urllib.error.HTTPError:
            return host, url, plugins_file  # 503 (a plugin unhealthy) still means it listens
        except OSError:
            time.sleep(0.2)
    fail("paka serve did not listen within 120 s")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def compile_fixture(source, target):
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-I", os.path.join(ROOT, "Sources", "CPakaABI", "include"),
                    "-o", target, os.path.join(ROOT, "Tests", "Fixtures", source)], check=True)
    os.chmod(target, 0o644)


def compile_marker(target, fixed):
    """The runbook's plugin with a bug (FAILs events containing "marker-bug"), or its fix (2.0.0)."""
    defines = ["-DFIXED", '-DFIXTURE_VERSION="2.0.0"'] if fixed else []
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-I", os.path.join(ROOT, "Sources", "CPakaABI", "include"), *defines,
                    "-o", target, os.path.join(ROOT, "Tests", "Fixtures", "marker.c")], check=True)
    os.chmod(target, 0o644)


def make_token(sub, *options):
    out = subprocess.run([os.path.join(BIN, "paka"), "token", "--sub", sub, *options],
                         env=dict(os.environ, JWT_SECRET=SECRET), capture_output=True, text=True, check=True).stdout
    return re.search(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", out).group(0)


def api(url, token, path, body=None):
    """(status, JSON body) of a request to the host's API."""
    request = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(), method="GET" if body is None else "POST",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def wait_for(what, condition, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    fail(f"timed out waiting for {what}")


def browser(width, height, phone=False):
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP violations are logged there
    if phone:  # a real phone viewport (a desktop window cannot be made that narrow)
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def publish(url, token, count, note="ok"):
    for i in range(count):
        body = json.dumps({"action": "console-test", "resource": "document", "resourceId": i, "details": {"note": note}}).encode()
        request = urllib.request.Request(url + "/kafka/test/audit", data=body, method="POST",
                                         headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).read()


def card_state(driver, name):
    try:
        cards = driver.find_elements(By.CSS_SELECTOR, f'article.plugin[data-plugin="{name}"]')
        return cards[0].get_attribute("data-state") if cards else None
    except StaleElementReferenceException:
        return None  # the page re-rendered between the lookup and the read: ask again


def click(driver, selector):
    """Clicks the element `selector` finds, looking it up again when the page's periodic
    refresh replaced it between the lookup and the click (a fresh-clone CI run hit that)."""
    def attempt(d):
        d.find_element(By.CSS_SELECTOR, selector).click()
        return True
    WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(attempt)


def attribute(driver, selector, name):
    """An attribute of the element `selector` finds, surviving a re-render the same way."""
    return WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: d.find_element(By.CSS_SELECTOR, selector).get_attribute(name))


def login(driver, url, token):
    driver.get(url + "/console")
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "token").is_displayed())
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "use-token").click()
    WebDriverWait(driver, 60).until(lambda d: d.find_element(By.ID, "status").get_attribute("data-loaded") == "true")


def text(driver, element_id):
    return WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: d.find_element(By.ID, element_id).text)


def confirm(driver, expect_in_body):
    """Accepts the page's confirmation dialog after checking what it says."""
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.getElementById('confirm').open"))
    body = driver.find_element(By.ID, "confirm-body").text
    if expect_in_body not in body:
        fail(f"the confirmation does not say {expect_in_body!r}: {body!r}")
    driver.find_element(By.ID, "confirm-ok").click()
    return body


def choose(driver, element_id, value):
    """Selects `value` in a <select>, again if a refresh re-rendered it meanwhile."""
    def attempt(d):
        Select(d.find_element(By.ID, element_id)).select_by_value(value)
        return d.find_element(By.ID, element_id).get_attribute("value") == value
    WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(attempt)


def shot(driver, name):
    driver.save_screenshot(os.path.join(ARTIFACTS, name))


def csp_violations(driver):
    return [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]]


def stop_host(host):
    if host.poll() is not None:
        return
    host.send_signal(signal.SIGTERM)
    try:
        host.wait(timeout=30)
    except subprocess.TimeoutExpired:
        host.kill()
