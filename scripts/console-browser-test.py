#!/usr/bin/env python3
"""Real-browser test of GET /console: headless Chromium (Debian's chromium + chromium-driver,
driven by Selenium) against a running `paka serve` with the four processors on the embedded
Kafka. Enters a token, sees the four plugins, pauses one, sees its state change (and
plugins.json say so), resumes it, starts a replay (which shows its dry run before asking), and
saves screenshots (desktop and phone width) as artifacts.

Usage: scripts/console-browser-test.py [ARTIFACT_DIR]   (default .paka/artifacts)
Needs: a debug build (.build/debug/paka and the processors), chromium, chromium-driver, selenium.
DATABASE_URL is passed on when set (scripts/test starts a PostgreSQL)."""
import json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("PAKA_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
ARTIFACTS = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".paka", "artifacts"))
PROCESSORS = ["DocumentProcessor", "NotificationProcessor", "AuditLogger", "ReportGenerator"]
SECRET = "console-browser-test-secret-0123456789"

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def fail(message):
    print(f"console browser test FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def start_host(work):
    plugin_dir = os.path.join(work, "plugins")
    os.makedirs(plugin_dir, mode=0o755)
    os.chmod(work, 0o755)
    for product in PROCESSORS:
        shutil.copyfile(os.path.join(BIN, f"lib{product}.so"), os.path.join(plugin_dir, f"lib{product}.so"))
        os.chmod(os.path.join(plugin_dir, f"lib{product}.so"), 0o644)
    plugins_file = os.path.join(work, "plugins.json")
    shutil.copyfile(os.path.join(ROOT, "plugins.json"), plugins_file)
    port = free_port()
    env = dict(os.environ, KAFKA_BROKERS="embedded", PORT=str(port), PAKA_BIND="127.0.0.1", JWT_SECRET=SECRET,
               PAKA_PLUGINS_FILE=plugins_file, PAKA_PLUGIN_DIR=plugin_dir, PAKA_DATA_DIR=os.path.join(work, "data"))
    log = open(os.path.join(ARTIFACTS, "console-host.log"), "w")
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


def admin_token():
    out = subprocess.run([os.path.join(BIN, "paka"), "token", "--sub", "console-test", "--admin"],
                         env=dict(os.environ, JWT_SECRET=SECRET), capture_output=True, text=True, check=True).stdout
    return re.search(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", out).group(0)


def browser(width, height, phone=False):
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}"]:
        options.add_argument(argument)
    if phone:  # a real phone viewport (a desktop window cannot be made that narrow)
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def publish(url, token, count):
    for i in range(count):
        body = json.dumps({"action": "console-test", "resource": "document", "resourceId": i}).encode()
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


def main():
    if not os.environ.get("DATABASE_URL"):
        fail("the four processors need DATABASE_URL (scripts/test starts a PostgreSQL and sets it)")
    os.makedirs(ARTIFACTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="paka-console-")
    host, url, plugins_file = start_host(work)
    driver = None
    try:
        token = admin_token()
        publish(url, token, 20)  # some traffic, so the counters and sparklines have something to show
        driver = browser(1280, 900)
        driver.get(url + "/console")
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "token").is_displayed())
        driver.find_element(By.ID, "token").send_keys(token)
        driver.find_element(By.ID, "use-token").click()
        WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.plugin")) == 4)
        names = sorted(c.get_attribute("data-plugin") for c in driver.find_elements(By.CSS_SELECTOR, "article.plugin"))
        if names != ["audit", "document", "notification", "report"]:
            fail(f"expected the four processors, saw {names}")
        # Pause the first active plugin whose consumer is running.
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, 'article.plugin[data-state="active"] button[data-action="pause"]'))
        target = attribute(driver, 'article.plugin[data-state="active"]', "data-plugin")
        click(driver, f'article.plugin[data-plugin="{target}"] button[data-action="pause"]')
        WebDriverWait(driver, 30).until(lambda d: card_state(d, target) == "paused")
        entry = next(p for p in json.load(open(plugins_file))["plugins"] if p["name"] == target)
        if entry.get("paused") is not True:
            fail(f"plugins.json does not say paused for {target}: {entry}")
        publish(url, token, 20)
        time.sleep(4)  # two refreshes: the rate sparklines get their points
        driver.save_screenshot(os.path.join(ARTIFACTS, "console-paused.png"))
        click(driver, f'article.plugin[data-plugin="{target}"] button[data-action="resume"]')
        WebDriverWait(driver, 30).until(lambda d: card_state(d, target) == "active")
        # Replay asks for a filter, runs a dry run first and asks before delivering anything.
        click(driver, f'article.plugin[data-plugin="{target}"] button[data-action="replay"]')
        WebDriverWait(driver, 10).until(EC.alert_is_present()).accept()  # empty filter: all letters
        confirm = WebDriverWait(driver, 10).until(EC.alert_is_present())
        if not confirm.text.startswith("Dry run: 0 letter(s) would go back to " + target + " only"):
            fail(f"unexpected replay confirmation: {confirm.text!r}")
        confirm.dismiss()
        driver.quit()

        # Phone width: the same page, one column, buttons reachable.
        driver = browser(390, 844, phone=True)
        driver.get(url + "/console")
        driver.find_element(By.ID, "token").send_keys(token)
        driver.find_element(By.ID, "use-token").click()
        WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.plugin")) == 4)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            fail(f"the page scrolls sideways by {overflow}px at phone width")
        driver.save_screenshot(os.path.join(ARTIFACTS, "console-phone.png"))
        print(f"console browser test passed: paused and resumed '{target}'; screenshots in {ARTIFACTS}")
    finally:
        if driver:
            driver.quit()
        host.send_signal(signal.SIGTERM)
        try:
            host.wait(timeout=30)
        except subprocess.TimeoutExpired:
            host.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
