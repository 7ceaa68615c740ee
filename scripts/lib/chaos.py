"""The chaos suite's driver (run through scripts/chaos, which builds and starts PostgreSQL).

Everything is real and talks over sockets: an external `paka broker` (librdkafka's mock
cluster; SIGUSR1/SIGUSR2 take every broker down/up while keeping data and offsets), the
PostgreSQL that scripts/chaos started, a Telegram stand-in (HTTP) and an SMTP capture
(aiosmtpd), and `paka serve` with the four processors, fed by a steady stream of
`POST /kafka/test/audit` (and `/kafka/test/notification` where a case needs it).

"Acknowledged" means the API answered 200 with `ok: true`: the event is then the host's
responsibility. Each case checks what must have arrived for every acknowledged event.
"""

import argparse
import email
import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PAKA = os.path.join(os.environ.get("PAKA_BIN_DIR", os.path.join(ROOT, ".build", "debug")), "paka")
PLUGIN_DIR = os.environ.get("PAKA_CHAOS_PLUGIN_DIR", os.path.join(ROOT, ".paka", "chaos-processors"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
PG_DIR = os.environ.get("PAKA_PG_DIR", "")
JWT_SECRET = "chaos-suite-secret-" + "x" * 32
# The longest a client waits for one answer. The API's promise is an answer, so a request
# that outlives this counts as unanswered.
REQUEST_TIMEOUT = 60
# How long events may take to arrive after the stream stopped.
DRAIN_TIMEOUT = 120


def log(message):
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- PostgreSQL (the cluster scripts/chaos started; stopped and restarted on its port) -----

def pg_bin(tool):
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(re.sub(r"\D", "", d.split("/")[4]) or 0))
    return os.path.join(dirs[-1], tool)


def as_pg_owner(command):
    return (["runuser", "-u", "postgres", "--"] + command) if os.geteuid() == 0 else command


def pg_port():
    return re.search(r":(\d+)/", DATABASE_URL).group(1)


def pg_stop():
    # immediate: what a crash looks like to clients (no goodbye, connections reset).
    subprocess.run(as_pg_owner([pg_bin("pg_ctl"), "-D", PG_DIR, "-m", "immediate", "-w", "stop"]),
                   check=True, stdout=subprocess.DEVNULL)


def pg_start():
    options = f"-p {pg_port()} -k {PG_DIR} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(as_pg_owner([pg_bin("pg_ctl"), "-D", PG_DIR, "-l", f"{PG_DIR}/server.log", "-w", "-t", "60",
                                "-o", options, "start"]), check=True, stdout=subprocess.DEVNULL)


def psql(sql):
    out = subprocess.run([pg_bin("psql"), DATABASE_URL, "-qtAX", "-c", sql], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr.strip()}")
    return [line for line in out.stdout.splitlines() if line]


# --- Stand-ins ------------------------------------------------------------------------------

class TelegramStandIn:
    """The Telegram Bot API as the notification plugin calls it: records every sendMessage."""

    def __init__(self):
        self.lock = threading.Lock()
        self.bodies = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
                with outer.lock:
                    outer.bodies.append(body.decode("utf-8", "replace"))
                    message_id = len(outer.bodies)
                answer = json.dumps({"ok": True, "result": {"message_id": message_id}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self, marker):
        pattern = re.compile(re.escape(marker) + r"\b")
        with self.lock:
            return sum(1 for body in self.bodies if pattern.search(body))


class SMTPStandIn:
    """A real SMTP server (aiosmtpd) keeping each message's Message-ID (`<eventId>@…`)."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        self.lock = threading.Lock()
        self.message_ids = []
        outer = self

        class Capture:
            async def handle_DATA(self, server, session, envelope):
                message = email.message_from_bytes(envelope.content, policy=policy.default)
                with outer.lock:
                    outer.message_ids.append(str(message["Message-ID"]).strip("<>"))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Capture(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def count(self, event_id):
        with self.lock:
            return sum(1 for m in self.message_ids if m.split("@")[0] == event_id)


# --- The external cluster and the host ------------------------------------------------------

class Broker:
    """`paka broker`: an external embedded cluster; outages by signal, data kept."""

    def __init__(self, work):
        self.log = open(os.path.join(work, "broker.log"), "w")
        self.process = subprocess.Popen([PAKA, "broker", "--partitions", "3"], stdout=subprocess.PIPE,
                                        stderr=self.log, text=True)
        self.bootstrap = self.process.stdout.readline().strip()
        if not self.bootstrap:
            raise RuntimeError("paka broker printed no bootstrap list (see broker.log)")

    def down(self):
        os.kill(self.process.pid, signal.SIGUSR1)

    def up(self):
        os.kill(self.process.pid, signal.SIGUSR2)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)

    def count(self, topic):
        out = subprocess.run(["kcat", "-b", self.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%o\n"],
                             capture_output=True, text=True, timeout=60)
        return len([line for line in out.stdout.splitlines() if line.strip()])


class Host:
    """One `paka serve` with the four processors, on a fixed port so it can be restarted."""

    def __init__(self, work, name, bootstrap, telegram, smtp, data_dir=None, extra_env=None):
        self.port = free_port()
        self.data_dir = data_dir or os.path.join(work, f"{name}-data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.log_path = os.path.join(work, f"{name}.log")
        with open(os.path.join(ROOT, "plugins.json")) as f:
            plugins = json.load(f)
        plugins["pluginDir"] = PLUGIN_DIR
        self.plugins_file = os.path.join(work, f"{name}-plugins.json")
        with open(self.plugins_file, "w") as f:
            json.dump(plugins, f)
        self.env = dict(os.environ)
        self.env.update({
            "KAFKA_BROKERS": bootstrap, "PORT": str(self.port), "PAKA_BIND": "127.0.0.1",
            "PAKA_PLUGINS_FILE": self.plugins_file, "PAKA_DATA_DIR": self.data_dir, "JWT_SECRET": JWT_SECRET,
            "DATABASE_URL": DATABASE_URL,
            # An external mock cluster: short sessions so a restarted or crashed member's
            # partitions move on within seconds; short fetch waits (docs/kafka.md).
            "KAFKA_PROPERTY_SESSION_TIMEOUT_MS": "3000", "KAFKA_PROPERTY_HEARTBEAT_INTERVAL_MS": "500",
            "KAFKA_PROPERTY_FETCH_WAIT_MAX_MS": "10",
            "TELEGRAM_BOT_TOKEN": "chaos-bot-token", "TELEGRAM_CHAT_ID": "4242",
            "TELEGRAM_API_BASE": f"http://127.0.0.1:{telegram.port}",
            "SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "MAIL_FROM": "paka@chaos.test", "MAIL_TO": "ops@chaos.test",
        })
        self.env.update(extra_env or {})
        self.process = None
        self.exits = []

    def start(self):
        log_file = open(self.log_path, "a")
        self.process = subprocess.Popen([PAKA, "serve"], env=self.env, stdout=log_file, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"paka serve exited with {self.process.returncode} on start (see {self.log_path})")
            try:
                status, _ = self.get("/health")
                if status in (200, 503):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"paka serve did not answer /health within 60 s (see {self.log_path})")

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.exits.append(self.process.returncode)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.exits.append(self.process.returncode)

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None

    def get(self, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def metric(self, name, **labels):
        """Sum of the samples of `name` whose labels include `labels` (0 when absent)."""
        _, text = self.get("/metrics")
        total = 0.0
        for line in text.splitlines():
            match = re.match(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+([-+\w.]+)", line)
            if not match or match.group(1) != name:
                continue
            if all(f'{k}="{v}"' in (match.group(2) or "") for k, v in labels.items()):
                total += float(match.group(3))
        return total

    def metrics_matching(self, pattern):
        _, text = self.get("/metrics")
        return [line for line in text.splitlines() if not line.startswith("#") and re.search(pattern, line.split(" ")[0])]

    def token(self):
        out = subprocess.run([PAKA, "token", "--sub", "chaos", "--ttl", "24h"], env=self.env,
                             capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()[-1]


# --- The stream -----------------------------------------------------------------------------

class Stream:
    """A steady stream of publishes: `rate` per second whatever the answers take (open loop, as
    many independent clients would send), at most `concurrency` requests waiting at once, each
    worker on its own keep-alive connection."""

    def __init__(self, host, token, kind, tag, rate, concurrency=48, malformed_every=0):
        self.host, self.token, self.kind, self.tag = host, token, kind, tag
        self.interval = 1.0 / rate
        self.malformed_every = malformed_every
        self.results = []
        self.lock = threading.Lock()
        self.sequence = 0
        self.stopping = threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=concurrency)
        self.local = threading.local()
        self.dispatcher = threading.Thread(target=self._dispatch, daemon=True)

    def start(self):
        self.dispatcher.start()
        return self

    def stop(self):
        """Stops sending and waits for every answer (or REQUEST_TIMEOUT)."""
        self.stopping.set()
        self.dispatcher.join()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _dispatch(self):
        next_at = time.time()
        while not self.stopping.is_set():
            self.pool.submit(self._send)
            next_at += self.interval
            self.stopping.wait(max(0.0, next_at - time.time()))

    def _send(self):
        self.local.connection = self._one(getattr(self.local, "connection", None))

    def _next(self):
        with self.lock:
            self.sequence += 1
            return self.sequence

    def _body(self, seq):
        if self.kind == "audit":
            action = self.tag
            if self.malformed_every and seq % self.malformed_every == 0:
                action = self.tag + "\u0000malformed"  # the audit plugin FAILs it: a dead letter
            return "/kafka/test/audit", {"action": action, "resource": "chaos", "resourceId": seq, "details": {"seq": seq}}
        return "/kafka/test/notification", {"title": f"{self.tag} #{seq}", "body": f"chaos marker {self.tag}-{seq}"}

    def _one(self, connection):
        """Sends the next request; returns the connection to reuse (None after an error)."""
        seq = self._next()
        path, body = self._body(seq)
        record = {"seq": seq, "status": None, "eventId": None, "mode": None, "error": None,
                  "malformed": "\u0000" in body.get("action", "")}
        started = time.time()
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", self.host.port, timeout=REQUEST_TIMEOUT)
            connection.request("POST", path, json.dumps(body), {
                "Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
            response = connection.getresponse()
            payload = response.read()
            record["status"] = response.status
            try:
                answer = json.loads(payload)
                record.update(eventId=answer.get("eventId"), mode=answer.get("mode"), ok=answer.get("ok"),
                              outcomes=answer.get("outcomes"), message=answer.get("error") or answer.get("message"))
            except ValueError:
                record["message"] = payload[:200].decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            record["error"] = f"{type(error).__name__}: {error}"
            if connection is not None:
                connection.close()
            connection = None
        record["seconds"] = time.time() - started
        with self.lock:
            self.results.append(record)
        return connection

    def once(self):
        connection = self._one(None)
        if connection is not None:
            connection.close()
        self.pool.shutdown()
        return self

    # What the API said.
    @property
    def acknowledged(self):
        return [r for r in self.results if r["status"] == 200 and r.get("ok") and r.get("eventId")]

    @property
    def unanswered(self):
        return [r for r in self.results if r["status"] is None]

    @property
    def refused(self):
        return [r for r in self.results if r["status"] is not None and r["status"] != 200]

    def summary(self):
        sent = len(self.results)
        modes = {}
        for r in self.acknowledged:
            modes[r["mode"]] = modes.get(r["mode"], 0) + 1
        errors = len(self.unanswered) + len(self.refused)
        slowest = max((r["seconds"] for r in self.results), default=0)
        return sent, errors, modes, slowest

    def percentile(self, fraction):
        """Answer time (seconds) that this fraction of the answered requests beat."""
        times = sorted(r["seconds"] for r in self.results if r["status"] is not None)
        return times[min(len(times) - 1, int(fraction * len(times)))] if times else 0.0


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
            rows = rows
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


class FullDisk:
    """The data directory on a small tmpfs that can be filled to the last byte (root), else an
    LD_PRELOAD shim failing writes below it with ENOSPC while a flag file exists."""

    SHIM = r'''
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
static int full(int fd) {
    const char *dir = getenv("PAKA_CHAOS_FULL_DIR"), *flag = getenv("PAKA_CHAOS_FULL_FLAG");
    if (!dir || !flag || access(flag, F_OK) != 0) return 0;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = 0;
    return strncmp(path, dir, strlen(dir)) == 0;
}
ssize_t write(int fd, const void *buf, size_t count) {
    static ssize_t (*real)(int, const void *, size_t);
    if (!real) real = dlsym(RTLD_NEXT, "write");
    if (full(fd)) { errno = ENOSPC; return -1; }
    return real(fd, buf, count);
}
ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real) real = dlsym(RTLD_NEXT, "pwrite");
    if (full(fd)) { errno = ENOSPC; return -1; }
    return real(fd, buf, count, offset);
}
ssize_t writev(int fd, const struct iovec *iov, int count) {
    static ssize_t (*real)(int, const struct iovec *, int);
    if (!real) real = dlsym(RTLD_NEXT, "writev");
    if (full(fd)) { errno = ENOSPC; return -1; }
    return real(fd, iov, count);
}
'''

    def __init__(self, work):
        self.dir = os.path.join(work, "full-disk")
        os.makedirs(self.dir, exist_ok=True)
        # PAKA_CHAOS_DISK=shim: the injected ENOSPC even where mounting is allowed.
        self.mounted = os.environ.get("PAKA_CHAOS_DISK") != "shim" and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", self.dir], capture_output=True).returncode == 0
        self.env = {}
        self.flag = os.path.join(work, "full-disk.flag")
        if not self.mounted:
            source, library = os.path.join(work, "enospc.c"), os.path.join(work, "libenospc.so")
            with open(source, "w") as f:
                f.write(self.SHIM)
            subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", library, source, "-ldl"], check=True)
            self.env = {"LD_PRELOAD": library, "PAKA_CHAOS_FULL_DIR": os.path.realpath(self.dir), "PAKA_CHAOS_FULL_FLAG": self.flag}

    @property
    def how(self):
        return "a 4 MiB tmpfs filled to the last byte" if self.mounted else "an LD_PRELOAD shim answering ENOSPC"

    def fill(self):
        if not self.mounted:
            open(self.flag, "w").close()
            return
        with open(os.path.join(self.dir, "filler"), "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        # The last partial block too: nothing more fits.
        try:
            with open(os.path.join(self.dir, "filler2"), "wb") as f:
                while True:
                    f.write(b"\0")
                    f.flush()
        except OSError:
            pass

    def free(self):
        for name in ("filler", "filler2"):
            if os.path.exists(os.path.join(self.dir, name)):
                os.remove(os.path.join(self.dir, name))
        if os.path.exists(self.flag):
            os.remove(self.flag)

    def close(self):
        self.free()
        if self.mounted:
            subprocess.run(["umount", "-l", self.dir])


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


CASES = {
    "kill9": case_kill9,
    "brokers-down": case_brokers_down,
    "postgres-down": case_postgres_down,
    "disk-full": case_disk_full,
    "flapping": case_flapping,
}
QUICK_CASES = ["kill9", "brokers-down", "postgres-down", "flapping"]


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
