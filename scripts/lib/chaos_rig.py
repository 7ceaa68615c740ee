"""The chaos suite's rig: the processes and stand-ins it drives, and the stream of publishes.

Everything is real and talks over sockets: an external `paka broker` (librdkafka's mock
cluster; SIGUSR1/SIGUSR2 take every broker down/up while keeping data and offsets), the
PostgreSQL that scripts/chaos started, a Telegram stand-in (HTTP) and an SMTP capture
(aiosmtpd), `paka serve` with the four processors, and a data directory that can be filled.
"""

import email
import glob
import http.client
import json
import os
import re
import signal
import socket
import subprocess
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
        # Unbuffered: a buffered file would raise ENOSPC once more when closed, flushing what the
        # failed write left in its buffer.
        for name, chunk in (("filler", 65536), ("filler2", 1)):  # then the last partial block
            with open(os.path.join(self.dir, name), "wb", buffering=0) as f:
                try:
                    while True:
                        f.write(b"\0" * chunk)
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
