#!/usr/bin/env python3
"""Real-browser test of GET /console: headless Chromium (Debian's chromium + chromium-driver,
driven by Selenium) against a running `paka serve` with the four processors and the runbook's
`marker` plugin (Tests/Fixtures/marker.c, compiled here) and the process-isolated `crashing` fixture
on the embedded Kafka. It walks
docs/operations.md: marker FAILs three events → the operator opens one letter and sees its
payload (markup shown as text, never run) and reason → a fixed build is swapped in → two letters
selected → dry run → replay → "delivered 2", the report opened from its link (and again after a
reload); each card shows its lanes; the versions tab says what triggered each swap (host start,
file) and lists the crashing plugin's crashes (SIGSEGV, the event) and worker restarts; pause,
move the offsets to latest, resume; a
read-only token sees no operator controls, a publish-only token sees nothing and gets 403 from
the API; phone width without sideways scrolling; no CSP violation logged. Screenshots of each
step go to the artifact folder.

Usage: scripts/console-browser-test.py [ARTIFACT_DIR]   (default .paka/artifacts)
Needs: a debug build (.build/debug/paka and the processors), chromium, chromium-driver, selenium.
DATABASE_URL is passed on when set (scripts/test starts a PostgreSQL)."""
import os, shutil, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from console_browser import (ARTIFACTS, MARKUP, By, StaleElementReferenceException, WebDriverWait, api, attribute, browser, card_state,
                             choose, click, compile_marker, confirm, csp_violations, fail, login, make_token, publish, shot, start_host,
                             stop_host, text, wait_for)

PLUGINS = 6  # the four processors, marker and crashing


def main():
    if not os.environ.get("DATABASE_URL"):
        fail("the four processors need DATABASE_URL (scripts/test starts a PostgreSQL and sets it)")
    os.makedirs(ARTIFACTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="paka-console-")
    host, url, plugins_file = start_host(work)
    driver = None
    try:
        operator = make_token("on-call", "--scope", "read operate")
        client = make_token("billing-app", "--scope", "publish")
        reader = make_token("dashboard", "--scope", "read")
        with urllib.request.urlopen(url + "/console", timeout=10) as response:
            policy = response.headers.get("Content-Security-Policy", "")
        if "default-src 'none'" not in policy or "unsafe-inline" in policy:
            fail(f"/console's Content-Security-Policy is not strict: {policy!r}")
        wait_for("marker's consumer", lambda: api(url, operator, "/plugins/marker/offsets")[1].get("consumer") == "running")

        # 1. A bug: marker FAILs three events (one carries markup in its payload).
        publish(url, client, 2, note="marker-bug")
        publish(url, client, 1, note="marker-bug " + MARKUP)
        publish(url, client, 5)  # ordinary traffic for the charts
        publish(url, client, 1, note="segv")  # kills crashing's worker (twice: the event is then dead-lettered)
        letters = wait_for("three dead letters of marker", lambda: (lambda r: r[1]["letters"] if r[0] == 200 and len(r[1]["letters"]) == 3 else None)(
            api(url, operator, "/plugins/marker/dead-letters")))

        driver = browser(1280, 1000)
        login(driver, url, operator)
        WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.plugin")) == PLUGINS)
        names = sorted(c.get_attribute("data-plugin") for c in driver.find_elements(By.CSS_SELECTOR, "article.plugin"))
        if names != ["audit", "crashing", "document", "marker", "notification", "report"]:
            fail(f"expected the four processors, marker and crashing, saw {names}")
        topics = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#topics li")]
        if len(topics) != 8:
            fail(f"the overview lists {len(topics)} topics, not the eight: {topics}")
        if "version" not in text(driver, "host") or "uptime" not in text(driver, "host"):
            fail(f"the host section lacks version/uptime: {text(driver, 'host')!r}")
        time.sleep(4)  # a few samples for the charts
        lanes = WebDriverWait(driver, 30, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: (lambda found: found[0].text if found else None)(d.find_elements(By.CSS_SELECTOR, 'article.plugin[data-plugin="marker"] span.lanes')))
        if attribute(driver, 'article.plugin[data-plugin="marker"] span.lanes', "data-lanes") != "1" or "of 1 busy" not in lanes or "held for retry" not in lanes:
            fail(f"marker's card does not show its lanes (1 lane): {lanes!r}")
        shot(driver, "console-overview.png")

        # 2. Look at what failed and why: open the letter whose payload carries markup.
        click(driver, 'article.plugin[data-plugin="marker"] button[data-action="details"]')
        WebDriverWait(driver, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#letters-body tr")) == 3)
        status, page = api(url, operator, "/plugins/marker/dead-letters?payload=true")
        target_row = next((l["id"] for l in letters if "<script>" in page["payloads"][l["id"]]["envelope"]), None)
        if not target_row:
            fail("no letter carries the markup payload")
        click(driver, f'#letters-body tr[data-letter="{target_row}"] button.letter-open')
        payload = text(driver, "letter-payload")
        if MARKUP not in payload.replace('\\"', '"'):
            fail(f"the payload is not shown as text: {payload!r}")
        if driver.execute_script("return window.__pwned") is not None:
            fail("the payload's markup was executed")
        if driver.find_elements(By.CSS_SELECTOR, "#letter-view script, #letter-view img"):
            fail("the payload's markup became elements")
        meta = text(driver, "letter-meta")
        if "handler crashed on marker-bug" not in meta:
            fail(f"the letter does not show its reason: {meta!r}")
        if "type" not in text(driver, "letter-headers"):
            fail("the letter's CloudEvents attributes are not shown")
        if "paka-error" not in text(driver, "letter-kafka-headers"):
            fail(f"the letter's Kafka headers are not shown: {text(driver, 'letter-kafka-headers')!r}")
        shot(driver, "console-letter.png")

        # 3. Fix and swap: the fixed build renamed over the file; the versions tab shows it.
        fixed = os.path.join(work, "libmarker.fixed.so")
        compile_marker(fixed, fixed=True)
        staged = os.path.join(work, "plugins", ".libmarker.so.new")
        shutil.copyfile(fixed, staged)
        os.chmod(staged, 0o644)
        os.rename(staged, os.path.join(work, "plugins", "libmarker.so"))
        wait_for("marker 2.0.0 active", lambda: any(p["name"] == "marker" and p.get("version") == "2.0.0" for p in api(url, operator, "/plugins")[1]))
        time.sleep(2.5)  # the page's next refresh
        click(driver, "#tab-versions")
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, '#versions-table tr[data-version="2.0.0"]'))
        if not driver.find_elements(By.CSS_SELECTOR, '#versions-table tr[data-version="1.0.0"][data-trigger="startup"]'):
            fail("the swap history does not show 1.0.0, loaded at the host's start")
        by = attribute(driver, '#versions-table tr[data-version="2.0.0"] td.trigger', "textContent")
        if by != "file":
            fail(f"the swap history says 2.0.0 came by {by!r}, not by file (the watcher)")
        shot(driver, "console-versions.png")

        # 4. Select two letters → dry run → replay → delivered 2.
        click(driver, "#tab-letters")  # the list loaded in step 2 (it is not refreshed under the operator's hands)
        WebDriverWait(driver, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#letters-body tr")) == 3)
        click(driver, "#letters-body tr:nth-child(1) input.letter-select")
        click(driver, "#letters-body tr:nth-child(2) input.letter-select")
        if text(driver, "replay-count") != "2":
            fail(f"two letters selected, the replay says {text(driver, 'replay-count')}")
        click(driver, "#replay-dry-run")
        summary = WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "dry-run-summary") and d.find_element(By.ID, "dry-run-summary").text)
        if not summary.startswith("Dry run: 2 letter(s) would go back to marker only, version 2.0.0"):
            fail(f"unexpected dry run: {summary!r}")
        driver.find_element(By.ID, "replay-rate").clear()
        driver.find_element(By.ID, "replay-rate").send_keys("50")
        click(driver, "#replay-run")
        confirm(driver, "2 letter(s) go back to marker only")
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, '#replay-summary[data-status="done"]'))
        result = text(driver, "replay-summary")
        if "delivered 2," not in result or "failed again 0" not in result:
            fail(f"the replay did not deliver 2: {result!r}")
        click(driver, "#replay-report")
        if '"delivered": 2' not in text(driver, "replay-report-json"):
            fail("the report does not show delivered 2")
        shot(driver, "console-replayed.png")
        # The replay links its report: the link opens it, and the address opens it again after a reload.
        link = attribute(driver, "#replay-report-link", "href")
        if "#replay/marker/" not in link:
            fail(f"the replay's report link is {link!r}")
        click(driver, "#replay-report-link")
        report = WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, '#report-summary[data-status="done"]') and text(d, "report-summary"))
        if "delivered 2," not in report or len(driver.find_elements(By.CSS_SELECTOR, '#report-items tr[data-outcome="delivered"]')) != 2:
            fail(f"the linked report does not show the two delivered letters: {report!r}")
        driver.execute_script("document.getElementById('report').scrollIntoView()")
        shot(driver, "console-report.png")
        driver.get(link)
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, '#report-summary[data-status="done"]'))
        click(driver, "#report-close")
        WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.plugin")) == PLUGINS)
        click(driver, 'article.plugin[data-plugin="marker"] button[data-action="details"]')
        pending = api(url, operator, "/plugins/marker/dead-letters")[1]["letters"]
        if len(pending) != 1:
            fail(f"after the replay the API lists {len(pending)} pending letters, not 1")
        WebDriverWait(driver, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#letters-body tr")) == 1)

        # 5. Pause, move the offsets to latest (before → after confirmed), resume.
        publish(url, client, 3)
        click(driver, "#tab-offsets")
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "reset-offsets"))
        enabled = WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: "enabled" if d.find_element(By.ID, "reset-offsets").is_enabled() else "disabled")
        if enabled == "enabled":
            fail("offsets can be moved while the plugin runs")
        click(driver, 'article.plugin[data-plugin="marker"] button[data-action="pause"]')
        WebDriverWait(driver, 30).until(lambda d: card_state(d, "marker") == "paused")
        publish(url, client, 4)  # lag while paused
        click(driver, "#tab-offsets")
        WebDriverWait(driver, 30, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: d.find_element(By.ID, "reset-offsets").is_enabled())
        choose(driver, "reset-target", "latest")
        click(driver, "#reset-offsets")
        body = confirm(driver, "→")
        if "audit.event/0" not in body:
            fail(f"the confirmation does not list the partition: {body!r}")
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "reset-done"))
        shot(driver, "console-offsets.png")
        status, report = api(url, operator, "/plugins/marker/offsets")
        if report["totalLag"] != 0:
            fail(f"lag after the reset to latest is {report['totalLag']}, not 0")
        click(driver, 'article.plugin[data-plugin="marker"] button[data-action="resume"]')
        WebDriverWait(driver, 30).until(lambda d: card_state(d, "marker") == "active")

        # 5b. A process-isolated plugin's crashes and restarts, with the signal and the event.
        wait_for("crashing's two crashes", lambda: len([c for p in api(url, operator, "/plugins")[1] if p["name"] == "crashing"
                                                         for c in p.get("crashHistory") or [] if c["kind"] == "crash"]) >= 2)
        click(driver, 'article.plugin[data-plugin="crashing"] button[data-action="details"]')
        click(driver, "#tab-versions")
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, '#crash-history tr[data-kind="crash"]'))
        crashes = text(driver, "crash-history")
        if "SIGSEGV" not in crashes or "handle" not in crashes or not driver.find_elements(By.CSS_SELECTOR, '#crash-history tr[data-kind="restart"]'):
            fail(f"the crash history does not show the SIGSEGV in handle and the restart: {crashes!r}")
        shot(driver, "console-crashes.png")
        violations = csp_violations(driver)
        if violations:
            fail(f"CSP violations: {violations}")
        driver.quit()
        driver = None

        # 6. Least privilege: a read-only token sees data and no controls; a publish-only token
        # sees nothing and the API refuses it.
        driver = browser(1280, 900)
        login(driver, url, reader)
        WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.plugin")) == PLUGINS)
        controls = driver.find_elements(By.CSS_SELECTOR, "button[data-action]:not([data-action=details])")
        if controls:
            fail(f"a read-only token is offered {[c.get_attribute('data-action') for c in controls]}")
        click(driver, 'article.plugin[data-plugin="marker"] button[data-action="details"]')
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "letters-note"))
        if driver.find_elements(By.ID, "replay-dry-run") or driver.find_elements(By.CSS_SELECTOR, "input.letter-select"):
            fail("a read-only token is offered the replay")
        click(driver, "#logout")
        login(driver, url, client)
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "scope-note").is_displayed())
        if driver.find_elements(By.CSS_SELECTOR, "article.plugin, button[data-action]"):
            fail("a publish-only token is shown plugins or controls")
        statuses = driver.execute_async_script("""
            const done = arguments[arguments.length - 1], t = sessionStorage.getItem("pakaToken");
            const call = (path, method) => fetch(path, {method, headers: {Authorization: "Bearer " + t, "Content-Type": "application/json"}, body: method === "POST" ? "{}" : undefined})
              .then(async r => [path, r.status, (await r.json()).error]);
            Promise.all([call("/plugins", "GET"), call("/plugins/marker/dead-letters", "GET"), call("/plugins/marker/pause", "POST")]).then(done);""")
        for path, status, error in statuses:
            if status != 403 or "scope" not in error:
                fail(f"a publish-only token got {status} {error!r} from {path}")
        shot(driver, "console-publish-only.png")
        driver.quit()
        driver = None

        # 7. Phone width: one column, nothing scrolls sideways, the letters are reachable.
        driver = browser(390, 844, phone=True)
        login(driver, url, operator)
        WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.plugin")) == PLUGINS)
        click(driver, 'article.plugin[data-plugin="marker"] button[data-action="details"]')
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#letters-body tr"))
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            fail(f"the page scrolls sideways by {overflow}px at phone width")
        shot(driver, "console-phone.png")
        driver.execute_script("document.getElementById('detail').scrollIntoView()")
        shot(driver, "console-phone-letters.png")
        driver.quit()
        driver = None
        stop_host(host)

        # 8. Fallback: a host whose Kafka is unreachable says so, processes synchronously, and
        # the console still shows the plugins and the letter from the local spool.
        shutil.rmtree(work, ignore_errors=True)
        work = tempfile.mkdtemp(prefix="paka-console-fallback-")
        host, url, plugins_file = start_host(work, brokers="127.0.0.1:9", log_name="console-host-fallback.log")
        status, answer = api(url, client, "/kafka/test/audit", {"action": "console-test", "resource": "document", "details": {"note": "marker-bug"}})
        if status != 200 or answer.get("mode") != "synchronous":
            fail(f"the fallback host did not process synchronously: {status} {answer}")
        driver = browser(1280, 900)
        login(driver, url, operator)
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "fallback").is_displayed())
        if "Fallback mode" not in text(driver, "fallback"):
            fail(f"the fallback banner says {text(driver, 'fallback')!r}")
        WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.plugin")) == PLUGINS)
        click(driver, 'article.plugin[data-plugin="marker"] button[data-action="details"]')
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, '#letters-body tr[data-letter^="spool:"]'))
        shot(driver, "console-fallback.png")
        print(f"console browser test passed: letter opened (markup shown as text), 2.0.0 swapped in by file, 2 letters replayed (delivered 2, report linked), "
              f"lanes on the cards, crash history with SIGSEGV, "
              f"offsets moved to latest while paused, read-only and publish-only tokens refused controls, fallback mode shown with the spool's letter; screenshots in {ARTIFACTS}")
    finally:
        if driver:
            driver.quit()
        stop_host(host)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
