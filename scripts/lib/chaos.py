"""The chaos suite's driver (run through scripts/chaos, which builds and starts PostgreSQL).

Each case runs a steady stream of `POST /kafka/test/audit` (and `/kafka/test/notification`
where it needs them) through a fresh `paka serve` while something fails, then checks what
arrived (chaos_rig.py has the processes and the stream).

"Acknowledged" means the API answered 200 with `ok: true`: the event is then the host's
responsibility. Each case checks what must have arrived for every acknowledged event.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from chaos_rig import (DATABASE_URL, JWT_SECRET, PAKA, PG_DIR, ROOT, Broker, FullDisk, Host, SMTPStandIn, Stream,
                       TelegramStandIn, log, pg_start, pg_stop, psql)

# How long events may take to arrive after the stream stopped.
DRAIN_TIMEOUT = 120

# --- Checks ---------------------------------------------------------------------------------

def audit_rows(tag):
    return psql(f"SELECT event_id FROM audit_events WHERE action = '{tag}'")


def wait_for_audit(stream, deadline_seconds=DRAIN_TIMEOUT):
    """Waits until every acknowledged, well-formed audit event has its row (or the deadline)."""
    wanted = {r["eventId"].lower() for r in stream.acknowledged if not r["malformed"]}
    deadline = time.time() + deadline_seconds
    rows = []
    while time.time() < deadline:
        try:
            rows = audit_rows(stream.tag)
        except (RuntimeError, subprocess.TimeoutExpired):
            pass  # PostgreSQL not back yet: ask again
        if wanted <= {r.lower() for r in rows}:
            break
        time.sleep(1)
    return wanted, rows


def wait_for_notifications(stream, telegram, smtp, deadline_seconds=DRAIN_TIMEOUT):
    acked = stream.acknowledged
    deadline = time.time() + deadline_seconds
    while time.time() < deadline:
        if all(telegram.count(f"{stream.tag}-{r['seq']}") >= 1 and smtp.count(r["eventId"]) >= 1 for r in acked):
            break
        time.sleep(1)
    time.sleep(2)  # a late duplicate would show up now
    lost = [r for r in acked if telegram.count(f"{stream.tag}-{r['seq']}") == 0 or smtp.count(r["eventId"]) == 0]
    duplicated = [r for r in acked if telegram.count(f"{stream.tag}-{r['seq']}") > 1 or smtp.count(r["eventId"]) > 1]
    # Requests without an answer may still have been delivered: a second copy of those is a duplicate too.
    unacked_dups = [r for r in stream.results if r not in acked and telegram.count(f"{stream.tag}-{r['seq']}") > 1]
    return lost, duplicated + unacked_dups


class Report:
    def __init__(self, name):
        self.name = name
        self.lines = []
        self.broken = []
        self.figures = {}

    def stream(self, label, stream, arrived, lost, duplicated, extra=""):
        sent, errors, modes, slowest = stream.summary()
        rate = 100.0 * errors / sent if sent else 0.0
        mode_text = ", ".join(f"{k} {v}" for k, v in sorted(modes.items(), key=lambda kv: str(kv[0])))
        self.lines.append(
            f"{label}: sent {sent}, acknowledged {len(stream.acknowledged)} ({mode_text}), arrived {arrived}, "
            f"lost {lost}, duplicated {duplicated}; API errors {errors}/{sent} ({rate:.1f} %: "
            f"{len(stream.unanswered)} unanswered, {len(stream.refused)} non-200); answer time median "
            f"{stream.percentile(0.5) * 1000:.0f} ms, p99 {stream.percentile(0.99):.2f} s, slowest {slowest:.2f} s{extra}")
        slow = [r for r in stream.results if r["seconds"] > 2 and r["status"] is not None]
        if slow:
            by_mode = {}
            for r in slow:
                by_mode[r["mode"] or r["status"]] = by_mode.get(r["mode"] or r["status"], 0) + 1
            self.lines.append(f"  {label}: {len(slow)} answers took over 2 s; by the mode they ended in: "
                              + ", ".join(f"{k} {v}" for k, v in sorted(by_mode.items(), key=lambda kv: str(kv[0]))))
        self.figures[label] = {"sent": sent, "acknowledged": len(stream.acknowledged), "arrived": arrived, "lost": lost,
                               "duplicated": duplicated, "errors": errors, "errorRate": round(rate, 2),
                               "slowestSeconds": round(slowest, 2), "medianSeconds": round(stream.percentile(0.5), 3),
                               "p99Seconds": round(stream.percentile(0.99), 2), "modes": modes}
        return errors

    def require(self, condition, what):
        if not condition:
            self.broken.append(what)

    def note(self, text):
        self.lines.append(text)

    def print(self, seconds):
        verdict = "PASS" if not self.broken else "FAIL"
        print(f"\n=== {self.name}: {verdict} ({seconds:.0f} s)")
        for line in self.lines:
            print(f"  {line}")
        for what in self.broken:
            print(f"  BROKEN: {what}")
        print(flush=True)


def audit_result(report, stream, extra=""):
    wanted, rows = wait_for_audit(stream)
    stored = {r.lower() for r in rows}
    lost = wanted - stored
    duplicated = len(rows) - len(stored)
    acked_ids = {r["eventId"].lower() for r in stream.acknowledged}
    unacknowledged_stored = len(stored - acked_ids)
    report.stream("audit", stream, len(stored & wanted), len(lost), duplicated,
                  extra + (f"; {unacknowledged_stored} stored without an acknowledgement" if unacknowledged_stored else ""))
    report.require(not lost, f"{len(lost)} acknowledged audit events have no row in audit_events: {sorted(lost)[:5]}")
    report.require(duplicated == 0, f"{duplicated} audit events stored more than once")
    return lost


def warm_up(host, token, tag, telegram=None, smtp=None):
    """One event through each consumer a case uses, so the groups have joined before the chaos."""
    stream = Stream(host, token, "audit", tag + "-warmup", rate=1).once()
    wanted, rows = wait_for_audit(stream, 90)
    if not wanted or not wanted <= {r.lower() for r in rows}:
        raise RuntimeError(f"warm-up audit event never arrived (see {host.log_path})")
    if telegram:
        notify = Stream(host, token, "notification", tag + "-warmup", rate=1).once()
        lost, _ = wait_for_notifications(notify, telegram, smtp, 90)
        if lost or not notify.acknowledged:
            raise RuntimeError(f"warm-up notification never arrived (see {host.log_path})")


# --- The cases ------------------------------------------------------------------------------

class Suite:
    """What every case shares: one external cluster, the stand-ins, PostgreSQL, one token."""

    def __init__(self, work, quick):
        self.work, self.quick = work, quick
        self.telegram = TelegramStandIn()
        self.smtp = SMTPStandIn()
        self.broker = Broker(work)
        env = dict(os.environ, JWT_SECRET=JWT_SECRET)
        self.token = subprocess.run([PAKA, "token", "--sub", "chaos", "--ttl", "24h"], env=env, capture_output=True,
                                    text=True, check=True).stdout.strip().splitlines()[-1]
        self.run_id = time.strftime("%H%M%S")

    def host(self, name, **kwargs):
        return Host(self.work, name, self.broker.bootstrap, self.telegram, self.smtp, **kwargs)

    def tag(self, case):
        return f"chaos-{case}-{self.run_id}"

    def seconds(self, full, quick):
        return quick if self.quick else full

    def close(self):
        self.broker.stop()
        self.smtp.controller.stop()
        self.telegram.server.shutdown()


AUDIT_RATE = 30          # audit publishes per second
NOTIFICATION_RATE = 3    # notification publishes per second


def finish(report, host):
    """Graceful stop after the case: it must still exit 0 (consumers commit, producer flushes)."""
    alive = host.alive
    host.stop()
    report.require(alive, f"the host was not running at the end of the case (exit {host.exits}; see {host.log_path})")
    if alive:
        report.require(host.exits[-1] == 0, f"the host exited {host.exits[-1]} on SIGTERM (see {host.log_path})")


def case_kill9(suite):
    """kill -9 of the host mid-stream, restart on the same port: every acknowledged event is stored once."""
    report = Report("kill9: kill -9 of the host mid-stream, then restart")
    host = suite.host("kill9")
    host.start()
    tag = suite.tag("kill9")
    warm_up(host, suite.token, tag)
    stream = Stream(host, suite.token, "audit", tag, AUDIT_RATE).start()
    time.sleep(suite.seconds(8, 4))
    host.kill9()
    killed = time.time()
    host.start()
    report.note(f"host killed with SIGKILL mid-stream; the restarted host answered /health {time.time() - killed:.1f} s later")
    time.sleep(suite.seconds(10, 6))
    stream.stop()
    audit_result(report, stream)
    report.require(not stream.refused, f"{len(stream.refused)} requests answered non-200: {stream.refused[:3]}")
    finish(report, host)
    return report


def wait_for_mode(host, connected, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            _, body = host.get("/health")
            if json.loads(body)["kafka"]["connected"] == connected:
                return True
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.2)
    return False


def notification_result(report, suite, stream):
    lost, duplicated = wait_for_notifications(stream, suite.telegram, suite.smtp)
    arrived = len(stream.acknowledged) - len(lost)
    report.stream("notification", stream, arrived, len(lost), len(duplicated),
                  " (arrived = at the Telegram stand-in and at the SMTP capture)")
    report.require(not lost, f"{len(lost)} acknowledged notifications missing at Telegram or SMTP: {[r['seq'] for r in lost[:5]]}")
    report.require(not duplicated, f"{len(duplicated)} notifications sent more than once: {[r['seq'] for r in duplicated[:5]]}")


def case_brokers_down(suite):
    """Every broker down mid-stream: every request answered (synchronous fallback), nothing lost or sent twice."""
    outage = suite.seconds(10, 5)
    report = Report(f"brokers-down: every broker down for {outage} s mid-stream")
    host = suite.host("brokers-down")
    host.start()
    tag = suite.tag("brokers-down")
    warm_up(host, suite.token, tag, suite.telegram, suite.smtp)
    audit = Stream(host, suite.token, "audit", tag, AUDIT_RATE).start()
    notify = Stream(host, suite.token, "notification", tag, NOTIFICATION_RATE).start()
    time.sleep(suite.seconds(5, 3))
    suite.broker.down()
    time.sleep(outage)
    suite.broker.up()
    time.sleep(suite.seconds(10, 6))
    audit.stop()
    notify.stop()
    audit_result(report, audit)
    notification_result(report, suite, notify)
    for label, stream in (("audit", audit), ("notification", notify)):
        _, errors, modes, _ = stream.summary()
        report.require(errors == 0, f"{errors} {label} requests got no 200 answer: "
                                    f"{[(r['status'], r['error'] or r.get('message')) for r in (stream.unanswered + stream.refused)[:3]]}")
        report.require(modes.get("synchronous", 0) > 0, f"no {label} request was processed synchronously: the outage did not take effect")
    finish(report, host)
    return report


def case_postgres_down(suite):
    """PostgreSQL stopped mid-stream: no audit row lost, none dead-lettered."""
    outage = suite.seconds(10, 5)
    report = Report(f"postgres-down: PostgreSQL stopped (immediate) for {outage} s mid-stream")
    host = suite.host("postgres-down")
    host.start()
    tag = suite.tag("postgres-down")
    warm_up(host, suite.token, tag)
    dlq_before = suite.broker.count("audit.event.dlq")
    stream = Stream(host, suite.token, "audit", tag, AUDIT_RATE).start()
    time.sleep(suite.seconds(5, 3))
    pg_stop()
    time.sleep(outage)
    pg_start()
    time.sleep(suite.seconds(10, 6))
    stream.stop()
    audit_result(report, stream)
    dead_lettered = host.metric("paka_plugin_events_dead_lettered_total", plugin="audit")
    dlq_new = suite.broker.count("audit.event.dlq") - dlq_before
    spool = os.path.join(host.data_dir, "dead-letters", "audit.event.dlq.jsonl")
    retried = host.metric("paka_plugin_events_retried_total", plugin="audit")
    report.note(f"audit RETRY answers during the outage: {retried:.0f}; dead letters: metric {dead_lettered:.0f}, "
                f"audit.event.dlq {dlq_new}, local spool {'present' if os.path.exists(spool) else 'none'}")
    report.require(dead_lettered == 0 and dlq_new == 0 and not os.path.exists(spool), "audit events were dead-lettered during a PostgreSQL outage")
    report.require(retried > 0, "the audit plugin never answered RETRY: the outage did not take effect")
    _, errors, _, _ = stream.summary()
    report.require(errors == 0, f"{errors} requests got no 200 answer while only PostgreSQL was down")
    finish(report, host)
    return report


def case_disk_full(suite):
    """The data directory full while the synchronous path spools dead letters: a clear error and
    a metric, no crash, nothing acknowledged silently dropped."""
    report = Report("disk-full: the data directory full while the synchronous path spools")
    disk = FullDisk(suite.work)
    host = suite.host("disk-full", data_dir=disk.dir, extra_env=disk.env)
    try:
        host.start()
        tag = suite.tag("disk-full")
        warm_up(host, suite.token, tag)
        suite.broker.down()
        report.require(wait_for_mode(host, False), "the host never switched to synchronous processing")
        disk.fill()
        report.note(f"full disk: {disk.how}; every broker down, so events go the synchronous path; "
                    "every 2nd audit event malformed (a NUL in 'action'), so the plugin FAILs it and it must be spooled")
        stream = Stream(host, suite.token, "audit", tag, 10, malformed_every=2).start()
        time.sleep(suite.seconds(8, 5))
        stream.stop()
        crashed = not host.alive
        spooled_while_full = dead_letter_ids(host)
        disk.free()
        suite.broker.up()
        if crashed:
            host.process.wait()
            tail = open(host.log_path, errors="replace").read().splitlines()
            fatal = [line for line in tail if "Fatal error" in line or "fatal" in line.lower()][-3:]
            report.note(f"the host DIED (exit {host.process.returncode}): {fatal or tail[-3:]}")
        report.require(not crashed, "the host crashed on a full disk")
        well_formed = Stream(host, suite.token, "audit", tag, 1)
        well_formed.results = [r for r in stream.results if not r["malformed"]]
        acked_malformed = [r for r in stream.acknowledged if r["malformed"]]
        # A host that kept them in memory may write them once there is room again: give it time.
        deadline = time.time() + (0 if crashed else 30)
        spooled = spooled_while_full | dead_letter_ids(host)
        while time.time() < deadline and any(r["eventId"].lower() not in spooled for r in acked_malformed):
            time.sleep(1)
            spooled |= dead_letter_ids(host)
        dropped = [r for r in acked_malformed if r["eventId"].lower() not in spooled]
        refused = [r for r in stream.results if r["malformed"] and r not in acked_malformed]
        unclear = [r for r in refused if r["status"] is None or not r.get("message")]
        report.note(f"malformed events: {len(acked_malformed)} acknowledged, {len(refused)} refused "
                    f"({len(unclear)} without a clear error), {len(dropped)} acknowledged but in no spool file")
        if refused:
            report.note(f"the API's answer on a full disk: {refused[0]['status']} {refused[0].get('message')!r}")
        report.require(not dropped, f"{len(dropped)} acknowledged events were silently dropped (not in the dead-letter spool)")
        report.require(not unclear, f"{len(unclear)} requests got no clear error answer on a full disk")
        if not crashed:
            audit_result(report, well_formed, " (well-formed events)")
            metrics = [line for line in host.metrics_matching(r"spool|disk|storage") if float(line.rsplit(" ", 1)[1]) > 0]
            report.note(f"metrics about the failed writes: {metrics or 'none'}")
            report.require(metrics, "no metric counts the failed spool writes")
            finish(report, host)
        else:
            report.stream("audit (all)", stream, 0, 0, 0, " (host crashed: not checked further)")
    finally:
        suite.broker.up()
        if host.alive:
            host.stop()
        disk.close()
    return report


def dead_letter_ids(host):
    path = os.path.join(host.data_dir, "dead-letters", "audit.event.dlq.jsonl")
    ids = set()
    try:
        with open(path, errors="replace") as f:
            for line in f:
                try:
                    ids.add(str(json.loads(line)["event"]["id"]).lower())
                except (ValueError, KeyError, TypeError):
                    pass
    except OSError:
        pass
    return ids


def case_flapping(suite):
    """A broker flapping (all down/up every 2 s for 30 s): nothing lost, nothing sent twice."""
    span = suite.seconds(30, 12)
    report = Report(f"flapping: every broker down/up every 2 s for {span} s")
    host = suite.host("flapping")
    host.start()
    tag = suite.tag("flapping")
    warm_up(host, suite.token, tag, suite.telegram, suite.smtp)
    audit = Stream(host, suite.token, "audit", tag, AUDIT_RATE).start()
    notify = Stream(host, suite.token, "notification", tag, NOTIFICATION_RATE).start()
    time.sleep(3)
    flips = 0
    end = time.time() + span
    while time.time() < end:
        suite.broker.down()
        time.sleep(2)
        suite.broker.up()
        time.sleep(2)
        flips += 1
    report.note(f"{flips} down/up cycles")
    time.sleep(suite.seconds(10, 6))
    audit.stop()
    notify.stop()
    audit_result(report, audit)
    notification_result(report, suite, notify)
    for label, stream in (("audit", audit), ("notification", notify)):
        _, errors, _, _ = stream.summary()
        report.require(errors == 0, f"{errors} {label} requests got no 200 answer: "
                                    f"{[(r['status'], r['error'] or r.get('message')) for r in (stream.unanswered + stream.refused)[:3]]}")
    finish(report, host)
    return report


def derived_counts(bootstrap, topic, field):
    """A read_committed read of `topic`: how often each `field` value occurs (in the CloudEvent's
    `data` for derived events, the envelope's `id` for dead letters), and how many records carry
    an `attempt` (published by an attempt answered RETRY: must never be visible)."""
    out = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                          "-X", "isolation.level=read_committed", "-f", "%s\n"],
                         capture_output=True, text=True, timeout=120)
    counts, retried = {}, 0
    for line in out.stdout.splitlines():
        try:
            envelope = json.loads(line)
        except ValueError:
            continue
        holder = envelope.get("data") if field == "from" else envelope
        if not isinstance(holder, dict) or field not in holder:
            continue
        if "attempt" in holder:
            retried += 1
            continue
        counts[str(holder[field])] = counts.get(str(holder[field]), 0) + 1
    return counts, retried


def build_deriving_plugin(work):
    """Tests/Fixtures/deriving.c: one derived event to derive.out per input (docs/kafka.md)."""
    folder = os.path.join(work, "eos-plugins")
    os.makedirs(folder, mode=0o755, exist_ok=True)
    library = os.path.join(folder, "libderiving.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-I", os.path.join(ROOT, "Sources", "CPakaABI", "include"),
                    "-o", library, os.path.join(ROOT, "Tests", "Fixtures", "deriving.c")], check=True)
    os.chmod(library, 0o755)
    return folder


def case_exactly_once(suite):
    """"delivery": "exactly-once" through kill -9 and a broker flap: a read_committed reader of the
    derived topic sees one derived event per input answered OK, the .dlq each FAILed input once."""
    report = Report("exactly-once: a plugin publishing one derived event per input, kill -9 and a broker flap")
    folder = build_deriving_plugin(suite.work)
    host = suite.host("exactly-once")
    with open(host.plugins_file, "w") as f:
        json.dump({"pluginDir": folder, "plugins": [{
            "name": "deriving", "library": "libderiving.so", "delivery": "exactly-once", "concurrency": 4,
            "retry": {"initialBackoffMs": 100, "maxBackoffMs": 100}}]}, f)
    host.env["PAKA_INSTANCE_ID"] = "chaos-eos"
    host.start()
    tag = suite.tag("eos")
    total = suite.seconds(3000, 1200)
    inputs, failing = [], set()
    for n in range(total):
        body = {"fail": True} if n % 10 == 3 else {"retries": 1} if n % 7 == 2 else {"delayMs": 1}
        event_id = f"{tag}-{n}"
        inputs.append((f"k{n % 48}", json.dumps({"specversion": "1.0", "id": event_id, "source": "chaos", "type": "derive.in",
                                                 "subject": f"k{n % 48}", "time": "2026-01-01T00:00:00Z", "data": body},
                                                separators=(",", ":"))))  # the fixture matches "fail":true
        if n % 10 == 3:
            failing.add(event_id)
    wanted = {f"{tag}-{n}" for n in range(total)} - failing

    def send(chunk):
        lines = "".join(f"{key}\t{value}\n" for key, value in chunk)
        subprocess.run(["kcat", "-b", suite.broker.bootstrap, "-P", "-t", "derive.in", "-K", "\t"], input=lines, text=True,
                       check=True, timeout=60)

    step = total // 10
    for i in range(0, 4 * step, step):     # a stream, then kill -9 mid-stream
        send(inputs[i:i + step])
        time.sleep(0.5)
    host.kill9()
    killed = time.time()
    send(inputs[4 * step:6 * step])
    host.start()
    report.note(f"host killed with SIGKILL mid-stream; restarted in {time.time() - killed:.1f} s")
    flips = 0
    for i in range(6 * step, total, step):  # the rest while every broker flaps
        send(inputs[i:i + step])
        suite.broker.down()
        time.sleep(2)
        suite.broker.up()
        time.sleep(1)
        flips += 1
    report.note(f"{flips} broker down/up cycles while the last {total - 6 * step} inputs arrived")
    deadline = time.time() + DRAIN_TIMEOUT
    while True:
        derived, retried = derived_counts(suite.broker.bootstrap, "derive.out", "from")
        letters, _ = derived_counts(suite.broker.bootstrap, "derive.in.dlq", "id")
        if (wanted <= derived.keys() and failing <= letters.keys()) or time.time() > deadline:
            break
        time.sleep(2)
    time.sleep(3)  # a late duplicate shows in the last read
    derived, retried = derived_counts(suite.broker.bootstrap, "derive.out", "from")
    letters, _ = derived_counts(suite.broker.bootstrap, "derive.in.dlq", "id")
    lost = len(wanted - derived.keys())
    duplicated = sum(c - 1 for k, c in derived.items() if k in wanted and c > 1)
    letters_lost = len(failing - letters.keys())
    letters_twice = sum(c - 1 for k, c in letters.items() if k in failing and c > 1)
    report.lines.append(f"derived: inputs {total}, answered OK {len(wanted)}, derived events read_committed "
                        f"{sum(derived.values())}, lost {lost}, duplicated {duplicated}, published by a RETRY {retried}; "
                        f"dead letters: FAILed {len(failing)}, in the .dlq {sum(letters.values())}, missing {letters_lost}, "
                        f"twice {letters_twice}")
    report.figures["exactly-once"] = {"inputs": total, "ok": len(wanted), "lost": lost, "duplicated": duplicated,
                                      "retryPublishesVisible": retried, "failed": len(failing),
                                      "deadLettersMissing": letters_lost, "deadLettersTwice": letters_twice}
    report.require(lost == 0, f"{lost} inputs answered OK have no derived event")
    report.require(duplicated == 0, f"{duplicated} derived events visible more than once")
    report.require(retried == 0, f"{retried} events published by attempts answered RETRY became visible")
    report.require(letters_lost == 0 and letters_twice == 0, f"dead letters: {letters_lost} missing, {letters_twice} twice")
    finish(report, host)
    return report


CASES = {
    "kill9": case_kill9,
    "brokers-down": case_brokers_down,
    "postgres-down": case_postgres_down,
    "disk-full": case_disk_full,
    "flapping": case_flapping,
    "exactly-once": case_exactly_once,
}
QUICK_CASES = ["kill9", "brokers-down", "postgres-down", "disk-full", "flapping", "exactly-once"]


def main():
    parser = argparse.ArgumentParser(description="Paka's chaos suite (see RELIABILITY.md).")
    parser.add_argument("--quick", action="store_true", help="short forms of the CI cases (scripts/test runs this)")
    parser.add_argument("cases", nargs="*", help=f"cases to run (default: all; --quick: {' '.join(QUICK_CASES)})")
    args = parser.parse_args()
    names = args.cases or (QUICK_CASES if args.quick else list(CASES))
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {unknown}; choose from {list(CASES)}")
    if not DATABASE_URL or not PG_DIR:
        sys.exit("chaos.py needs DATABASE_URL and PAKA_PG_DIR: run it through scripts/chaos")
    os.makedirs(os.path.join(ROOT, ".paka"), exist_ok=True)
    work = tempfile.mkdtemp(prefix="chaos-", dir=os.path.join(ROOT, ".paka"))
    log(f"work directory (logs of every process): {work}")
    suite = Suite(work, args.quick)
    reports, started = [], time.time()
    try:
        for name in names:
            log(f"case {name}")
            t = time.time()
            try:
                report = CASES[name](suite)
            except Exception as error:  # a case that cannot run is a broken case, with the reason
                report = Report(name)
                report.require(False, f"the case could not run: {type(error).__name__}: {error}")
            report.seconds = time.time() - t
            report.print(report.seconds)
            reports.append(report)
    finally:
        suite.close()
    with open(os.path.join(work, "figures.json"), "w") as f:
        json.dump([{"case": r.name, "seconds": round(r.seconds), "passed": not r.broken, "broken": r.broken,
                    "figures": r.figures, "notes": r.lines} for r in reports], f, indent=2)
    failed = [r.name.split(":")[0] for r in reports if r.broken]
    log(f"{len(reports) - len(failed)}/{len(reports)} cases passed in {time.time() - started:.0f} s"
        + (f"; broken: {', '.join(failed)}" if failed else "") + f"; figures in {work}/figures.json")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
