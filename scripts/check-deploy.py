#!/usr/bin/env python3
"""Checks the Docker deployment files without a Docker engine (issue 8); run by scripts/test.

  scripts/check-deploy.py [--schema PATH]

- docker-compose.yml validates against the Compose Specification schema, kept in the repository
  at Tests/Fixtures/compose-spec/compose-spec.json (or --schema / PAKA_COMPOSE_SCHEMA);
- every element of the seed's "Docker Setup"/"Kafka UI" contract is in docker-compose.yml;
- every environment variable the host, the processors and plugins.json read (found by scanning
  the sources, not from a hand-kept list) is in .env.example or set for the paka service, and
  every ${VAR} docker-compose.yml substitutes is in .env.example;
- the Dockerfile builds with scripts/build (the script scripts/test proves) and nothing else;
- negative self-tests: the same checks, run on a temporary copy with a variable removed or
  added, must fail.

Prints one line per check and ends with "deploy checks: N passed, M failed"; exit 1 on failure.
"""
import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import jsonschema
    import yaml
except ImportError as missing:  # scripts/test installs them; say so when run by hand
    sys.exit(f"error: {missing.name} is missing: python3 -m pip install jsonschema PyYAML")

ROOT = Path(__file__).resolve().parent.parent
SEED_SERVICES = ["zookeeper", "kafka", "kafka-ui", "postgres", "paka"]
HEALTHCHECKED = ["kafka", "postgres", "paka"]
PAKA_ENV_REQUIRED = ["KAFKA_BROKERS", "KAFKA_CLIENT_ID", "DATABASE_URL", "JWT_SECRET",
                     "PAKA_PLUGIN_DIR", "PAKA_DATA_DIR", "PAKA_PLUGINS_FILE"]
# The scanner must at least find these, or it has stopped recognising how the host reads them.
CORE_VARIABLES = {"KAFKA_BROKERS", "KAFKA_CLIENT_ID", "PORT", "DATABASE_URL", "JWT_SECRET",
                  "PAKA_PLUGINS_FILE", "PAKA_PLUGIN_DIR", "PAKA_DATA_DIR"}

# How the sources read the environment: env["X"], environment["X"], environment.raw["X"],
# raw["X"], ProcessInfo.processInfo.environment["X"], getenv("X") (Swift and C).
READ_PATTERNS = [
    re.compile(r'\b(?:env|environment|raw)\s*\[\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\]'),
    re.compile(r'\b(?:getenv|secure_getenv)\s*\(\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\)'),
]
# Prefix families (KAFKA_PROPERTY_<NAME>): a constant named *Prefix holding "NAME_".
PREFIX_PATTERN = re.compile(r'\w*[Pp]refix\w*\s*(?::\s*\w+\s*)?=\s*"([A-Z][A-Z0-9_]*_)"')
PLACEHOLDER = re.compile(r'\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}')
COMPOSE_VAR = re.compile(r'\$\{([A-Za-z_][A-Za-z0-9_]*)')


class Report:
    def __init__(self, quiet=False):
        self.passed, self.failed, self.quiet = 0, 0, quiet
        self.failures = []

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(f"{what}: {detail}" if detail else what)
        if not self.quiet:
            line = f"{'ok  ' if ok else 'FAIL'} {what}"
            if detail and not ok:
                line += f"\n       {detail}"
            print(line)
        return ok


def default_of(text):
    """Resolves ${VAR:-default} / ${VAR-default} / ${VAR} in a compose string to its default."""
    def repl(m):
        inner = m.group(0)[2:-1]
        for sep in (":-", "-"):
            if sep in inner:
                return inner.split(sep, 1)[1]
        return ""
    previous = None
    while previous != text:  # nested defaults resolve inside out
        previous = text
        text = re.sub(r"\$\{[^${}]*\}", repl, text)
    return text


def as_env_dict(environment):
    if environment is None:
        return {}
    if isinstance(environment, dict):
        return {k: "" if v is None else str(v) for k, v in environment.items()}
    out = {}
    for item in environment:
        key, _, value = str(item).partition("=")
        out[key] = value
    return out


def container_ports(service):
    """(published default, target) pairs for a service's ports, short or long syntax."""
    pairs = []
    for port in service.get("ports", []) or []:
        if isinstance(port, dict):
            pairs.append((default_of(str(port.get("published", ""))), str(port.get("target", ""))))
            continue
        parts = default_of(str(port)).split("/")[0].split(":")
        target = parts[-1]
        published = parts[-2] if len(parts) >= 2 else ""
        pairs.append((published, target))
    return pairs


def scan_sources(root):
    """Every variable name the Swift/C sources read, and every prefix family."""
    names, prefixes, where = set(), set(), {}
    for folder in ("Sources", "Plugins"):
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix not in (".swift", ".c", ".h") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for pattern in READ_PATTERNS:
                for m in pattern.finditer(text):
                    names.add(m.group(1))
                    where.setdefault(m.group(1), str(path.relative_to(root)))
            for m in PREFIX_PATTERN.finditer(text):
                prefixes.add(m.group(1))
                where.setdefault(m.group(1), str(path.relative_to(root)))
    return names, prefixes, where


def scan_plugins_json(root):
    text = (root / "plugins.json").read_text(encoding="utf-8")
    return {m.group(1) for m in PLACEHOLDER.finditer(text)}


def env_example_names(root):
    """Variables .env.example sets or documents (a commented `# NAME=` line counts)."""
    names, bad = set(), []
    for number, line in enumerate((root / ".env.example").read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        m = re.match(r"^#?\s*([A-Za-z_][A-Za-z0-9_]*)=", stripped)
        if m:
            names.add(m.group(1))
        elif stripped and not stripped.startswith("#"):
            bad.append(f"line {number}: {line!r}")
    return names, bad


def load_compose(root):
    return yaml.safe_load((root / "docker-compose.yml").read_text(encoding="utf-8"))


def check_schema(report, compose, schema_path):
    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    report.check(not errors, "docker-compose.yml validates against the Compose Specification schema",
                 "; ".join(f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors[:10]))


def check_seed(report, compose):
    services = compose.get("services") or {}
    missing = [s for s in SEED_SERVICES if s not in services]
    report.check(not missing, f"services {', '.join(SEED_SERVICES)} are defined", f"missing: {missing}")
    kafka = services.get("kafka") or {}
    ui = services.get("kafka-ui") or {}
    paka = services.get("paka") or {}
    postgres = services.get("postgres") or {}
    zookeeper = services.get("zookeeper") or {}

    report.check(str(zookeeper.get("image", "")).startswith("confluentinc/cp-zookeeper"),
                 "zookeeper runs confluentinc/cp-zookeeper", f"image: {zookeeper.get('image')}")
    report.check(str(kafka.get("image", "")).startswith("confluentinc/cp-kafka"),
                 "kafka runs confluentinc/cp-kafka", f"image: {kafka.get('image')}")
    report.check(kafka.get("container_name") == "paka_kafka", "kafka's container_name is paka_kafka",
                 f"container_name: {kafka.get('container_name')}")
    report.check(("9092", "9092") in container_ports(kafka), "kafka publishes 9092 for the host machine",
                 f"ports: {kafka.get('ports')}")
    kenv = as_env_dict(kafka.get("environment"))
    advertised = default_of(kenv.get("KAFKA_ADVERTISED_LISTENERS", ""))
    listeners = kenv.get("KAFKA_LISTENERS", "")
    report.check("kafka:29092" in advertised and "localhost:9092" in advertised
                 and ":29092" in listeners and ":9092" in listeners,
                 "kafka listens on 29092 (advertised kafka:29092) and 9092 (advertised localhost:9092)",
                 f"KAFKA_LISTENERS={listeners} KAFKA_ADVERTISED_LISTENERS={kenv.get('KAFKA_ADVERTISED_LISTENERS')}")
    report.check(bool(kenv.get("KAFKA_ZOOKEEPER_CONNECT", "").startswith("zookeeper:")),
                 "kafka uses the zookeeper service", f"KAFKA_ZOOKEEPER_CONNECT={kenv.get('KAFKA_ZOOKEEPER_CONNECT')}")

    report.check(str(ui.get("image", "")).startswith("provectuslabs/kafka-ui"), "kafka-ui runs provectuslabs/kafka-ui",
                 f"image: {ui.get('image')}")
    report.check(("8080", "8080") in container_ports(ui), "kafka-ui is published on 8080", f"ports: {ui.get('ports')}")
    uenv = as_env_dict(ui.get("environment"))
    report.check(uenv.get("KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS") == "kafka:29092",
                 "kafka-ui is wired to the internal listener kafka:29092",
                 f"KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS={uenv.get('KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS')}")

    penv = as_env_dict(postgres.get("environment"))
    report.check(str(postgres.get("image", "")).startswith("postgres:15"), "postgres runs postgres:15",
                 f"image: {postgres.get('image')}")
    report.check(penv.get("POSTGRES_DB") == "paka", "postgres creates database paka", f"POSTGRES_DB={penv.get('POSTGRES_DB')}")
    report.check(any(":/var/lib/postgresql/data" in str(v) or (isinstance(v, dict) and v.get("target") == "/var/lib/postgresql/data")
                     for v in postgres.get("volumes", []) or []),
                 "postgres keeps its data in a volume", f"volumes: {postgres.get('volumes')}")

    for name in HEALTHCHECKED:
        hc = (services.get(name) or {}).get("healthcheck") or {}
        report.check(bool(hc.get("test")) and not hc.get("disable"), f"{name} has a health check", f"healthcheck: {hc}")
    hc = (paka.get("healthcheck") or {}).get("test") or []
    report.check("/health" in " ".join(map(str, hc if isinstance(hc, list) else [hc])),
                 "paka's health check probes /health", f"test: {hc}")

    build = paka.get("build")
    context = build.get("context") if isinstance(build, dict) else build
    report.check(context in (".", "./"), "paka is built from this repository (build: .)", f"build: {build}")
    report.check(("3000", "3000") in container_ports(paka), "paka is published on 3000", f"ports: {paka.get('ports')}")
    env = as_env_dict(paka.get("environment"))
    missing = [v for v in PAKA_ENV_REQUIRED if v not in env]
    report.check(not missing, f"paka sets {', '.join(PAKA_ENV_REQUIRED)}", f"missing: {missing}")
    report.check(default_of(env.get("KAFKA_BROKERS", "")) == "kafka:29092",
                 "paka's KAFKA_BROKERS defaults to the internal listener kafka:29092", f"KAFKA_BROKERS={env.get('KAFKA_BROKERS')}")
    report.check(default_of(env.get("KAFKA_CLIENT_ID", "")) == "paka-api", "paka's KAFKA_CLIENT_ID defaults to paka-api",
                 f"KAFKA_CLIENT_ID={env.get('KAFKA_CLIENT_ID')}")
    report.check("@postgres:5432/paka" in default_of(env.get("DATABASE_URL", "")),
                 "paka's DATABASE_URL defaults to the postgres service's database paka", f"DATABASE_URL={env.get('DATABASE_URL')}")
    deps = paka.get("depends_on") or {}
    unhealthy = [s for s in ("kafka", "postgres") if not (isinstance(deps, dict) and (deps.get(s) or {}).get("condition") == "service_healthy")]
    report.check(not unhealthy, "paka depends on kafka and postgres with condition: service_healthy",
                 f"not waiting for health: {unhealthy}")
    targets = []
    for v in paka.get("volumes", []) or []:
        targets.append(v.get("target") if isinstance(v, dict) else default_of(str(v)).split(":")[1] if ":" in str(v) else str(v))
    wanted = {
        "the plugin directory": env.get("PAKA_PLUGIN_DIR", "?"),
        "the folder holding plugins.json": os.path.dirname(env.get("PAKA_PLUGINS_FILE", "?")),
        "the data directory": env.get("PAKA_DATA_DIR", "?"),
    }
    for what, path in wanted.items():
        report.check(path in targets, f"paka mounts {what} ({path})", f"volume targets: {targets}")
    return env


def check_variables(report, root, compose, paka_env):
    names, prefixes, where = scan_sources(root)
    plugin_vars = scan_plugins_json(root)
    core_missing = CORE_VARIABLES - names
    report.check(not core_missing, f"source scan finds the variables read in Sources/ and Plugins/: {', '.join(sorted(names))}",
                 f"scanner no longer sees: {sorted(core_missing)}")
    documented, bad_lines = env_example_names(root)
    report.check(not bad_lines, ".env.example has only NAME=value lines and comments", "; ".join(bad_lines))
    # The process environment every program inherits is not Paka configuration, nor is the
    # Swift runtime's own switch (SWIFT_BACKTRACE, set for `paka plugin test`'s child).
    system = {"PATH", "HOME", "TMPDIR", "LANG", "TZ", "SWIFT_BACKTRACE"}
    unlisted = sorted(v for v in names if v not in documented and v not in paka_env and v not in system)
    report.check(not unlisted, "every variable the sources read is in .env.example or set for paka",
                 ", ".join(f"{v} (read in {where[v]})" for v in unlisted))
    unlisted = sorted(v for v in plugin_vars if v not in documented and v not in paka_env)
    report.check(bool(plugin_vars) and not unlisted,
                 f"every ${{VAR}} in plugins.json ({len(plugin_vars)}) is in .env.example or set for paka",
                 ", ".join(unlisted) or "no ${VAR} found in plugins.json")
    text = (root / ".env.example").read_text(encoding="utf-8")
    missing_prefixes = sorted(p for p in prefixes if not re.search(rf"^#?\s*{re.escape(p)}[A-Z0-9_]+=", text, re.M))
    report.check(not missing_prefixes, f"every variable family ({', '.join(sorted(prefixes)) or 'none'}) has an example in .env.example",
                 ", ".join(f"{p}<NAME> (read in {where[p]})" for p in missing_prefixes))
    substituted = set(COMPOSE_VAR.findall((root / "docker-compose.yml").read_text(encoding="utf-8")))
    undocumented = sorted(substituted - documented)
    report.check(not undocumented, "every ${VAR} docker-compose.yml substitutes is in .env.example", ", ".join(undocumented))
    report.check(bool(re.search(r"^JWT_SECRET=", text, re.M)) and "openssl rand -base64 32" in text,
                 ".env.example has JWT_SECRET with how to generate it (openssl rand -base64 32)")


_local_swift = []


def local_swift_version():
    """major.minor of the `swift` on PATH (the one scripts/test builds with), or None."""
    if not _local_swift:
        version = None
        if shutil.which("swift"):
            out = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout
            m = re.search(r"Swift version (\d+\.\d+)", out)
            version = m.group(1) if m else None
        _local_swift.append(version)
    return _local_swift[0]


# Program a processor runs (TextExtractor.findExecutable) → the Debian package that ships it.
PROGRAM_PACKAGES = {"pdftotext": "poppler-utils"}


def check_dockerfile(report, root, paka_env):
    text = (root / "Dockerfile").read_text(encoding="utf-8")
    # Join continuation lines, drop comments: one logical instruction per entry.
    logical = re.sub(r"\\\n", " ", "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#")))
    instructions = [l.strip() for l in logical.splitlines() if l.strip()]
    froms = [l for l in instructions if l.upper().startswith("FROM ")]
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", logical, re.M))
    resolved = [re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), f) for f in froms]
    report.check(len(froms) >= 2, "Dockerfile is multi-stage", f"FROM lines: {froms}")
    builder = next((f for f in resolved if re.search(r"\bswift:6\.\d+(\.\d+)?-bookworm\s", f + " ")), None)
    runtime = next((f for f in resolved if re.search(r"\bswift:6\.\d+(\.\d+)?-bookworm-slim\b", f)), None)
    report.check(builder is not None and runtime is not None,
                 "builder FROM swift:6.x-bookworm, runtime FROM swift:6.x-bookworm-slim", f"FROM lines: {resolved}")
    tag = re.search(r"swift:(6\.\d+)", builder or "")
    local = local_swift_version()
    if local:
        report.check(tag is not None and tag.group(1) == local,
                     f"the image's Swift ({tag.group(1) if tag else '?'}) is the Swift the tests build with ({local})",
                     "change ARG SWIFT_VERSION in the Dockerfile")
    runs = [l for l in instructions if l.upper().startswith("RUN ")]
    build_runs = [l for l in runs if re.search(r"\bscripts/build\s+release\s+(\S+)", l)]
    report.check(len(build_runs) == 1, "the Dockerfile builds with `scripts/build release PLUGIN_DIR` (once)",
                 f"RUN lines calling scripts/build release: {len(build_runs)}")
    if build_runs:
        plugin_dir = re.search(r"\bscripts/build\s+release\s+(\S+)", build_runs[0]).group(1)
        report.check(plugin_dir == paka_env.get("PAKA_PLUGIN_DIR"),
                     "scripts/build installs the processors where compose's PAKA_PLUGIN_DIR points",
                     f"Dockerfile: {plugin_dir}, compose: {paka_env.get('PAKA_PLUGIN_DIR')}")
    stray = [l for l in instructions if re.search(r"\bswift\s+(build|test|run)\b|\bswiftc\b", l)]
    report.check(not stray, "nothing else in the Dockerfile compiles Swift (no swift build/test/run, swiftc)",
                 "; ".join(stray))
    builder_stage = logical.split("FROM", 2)[1] if logical.count("FROM") >= 2 else logical
    dev = [p for p in ("librdkafka-dev", "libpq-dev", "libcurl4-openssl-dev", "pkg-config") if p not in builder_stage]
    report.check(not dev, "the builder installs librdkafka-dev libpq-dev libcurl4-openssl-dev pkg-config", f"missing: {dev}")
    runtime_stage = logical.split("-bookworm-slim", 1)[1] if "-bookworm-slim" in logical else ""
    libs = [p for p in ("librdkafka1", "libpq5", "libcurl4", "ca-certificates", "curl") if not re.search(rf"\b{re.escape(p)}\b", runtime_stage)]
    report.check(not libs, "the runtime installs librdkafka1 libpq5 libcurl4 ca-certificates curl", f"missing: {libs}")
    report.check(not re.search(r"-dev\b", runtime_stage), "the runtime installs no -dev package")
    # Programs the processors run (found in their sources) must be in the image, or every event
    # needing one is dead-lettered in production while the tests, run here, pass.
    programs = sorted(set(re.findall(r'findExecutable\("([^"]+)"\)', "\n".join(
        f.read_text(encoding="utf-8") for f in (root / "Plugins").rglob("*.swift")))))
    unknown = [p for p in programs if p not in PROGRAM_PACKAGES]
    report.check(not unknown, "every program the processors run has a known Debian package",
                 f"add to PROGRAM_PACKAGES in scripts/check-deploy.py: {unknown}")
    absent = [f"{p} ({PROGRAM_PACKAGES[p]})" for p in programs if p in PROGRAM_PACKAGES
              and not re.search(rf"\b{re.escape(PROGRAM_PACKAGES[p])}\b", runtime_stage)]
    report.check(programs and not absent, f"the runtime installs the programs the processors run: {', '.join(programs)}",
                 f"missing from the runtime stage: {absent}")
    users = re.findall(r"^USER\s+(\S+)", runtime_stage, re.M)
    report.check(bool(users) and users[-1] not in ("root", "0", "0:0"), "the runtime runs as a non-root user", f"USER: {users}")
    test_script = (root / "scripts" / "test").read_text(encoding="utf-8")
    report.check(re.search(r"^\s*scripts/build\b", test_script, re.M) is not None,
                 "scripts/test builds with scripts/build too (one build script, no drift)")
    build_script = (root / "scripts" / "build").read_text(encoding="utf-8")
    products = re.search(r"for product in ([^;]+);", build_script)
    built = {f"lib{p}.so" for p in products.group(1).split()} if products else set()
    config = json.loads((root / "plugins.json").read_text(encoding="utf-8"))
    libraries = {p.get("library") for p in config.get("plugins", [])}
    report.check(bool(built) and libraries <= built, "every library in plugins.json is one scripts/build installs",
                 f"plugins.json: {sorted(libraries - built)} not in {sorted(built)}")
    ignore = (root / ".dockerignore").read_text(encoding="utf-8").split() if (root / ".dockerignore").exists() else []
    report.check(all(x in ignore for x in (".build", ".env", ".paka")), ".dockerignore keeps .build, .paka and .env out",
                 f".dockerignore: {ignore}")


def check_docs(report, root):
    deploy = root / "docs" / "deploy.md"
    text = deploy.read_text(encoding="utf-8") if deploy.exists() else ""
    needed = ["docker-compose up -d", "curl http://localhost:3000/kafka/status", "docker logs paka_kafka",
              "http://localhost:8080", "paka token", "--scale", "KAFKA_TOPIC_PARTITIONS", "paka-install-plugin",
              "/plugins/reload", "pg_dump", "KAFKA_PROPERTY_SECURITY_PROTOCOL", "plugin-sdk"]
    missing = [n for n in needed if n not in text]
    report.check(not missing, "docs/deploy.md covers start, status, logs, Kafka UI, token, scale, install, backup, SASL/TLS, SDK",
                 f"missing: {missing}")
    readme = (root / "README.md").read_text(encoding="utf-8")
    report.check("docs/deploy.md" in readme, "README.md links docs/deploy.md")


def run_all(root, schema_path, quiet=False):
    report = Report(quiet)
    compose = load_compose(root)
    check_schema(report, compose, schema_path)
    paka_env = check_seed(report, compose)
    check_variables(report, root, compose, paka_env)
    check_dockerfile(report, root, paka_env)
    check_docs(report, root)
    return report


def self_tests(report, schema_path):
    """The checks must fail on broken copies; otherwise they prove nothing."""
    def scratch():
        tmp = Path(tempfile.mkdtemp(prefix="paka-check-deploy-"))
        for name in ("Sources", "Plugins"):
            shutil.copytree(ROOT / name, tmp / name, ignore=shutil.ignore_patterns(".build*"))
        for name in ("docker-compose.yml", ".env.example", "Dockerfile", ".dockerignore", "plugins.json",
                     "README.md", "docs/deploy.md", "scripts/build", "scripts/test"):
            if (ROOT / name).exists():
                (tmp / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, tmp / name)
        return tmp

    def expect_failure(what, mutate, needle):
        tmp = scratch()
        try:
            mutate(tmp)
            result = run_all(tmp, schema_path, quiet=True)
            hit = [f for f in result.failures if needle in f]
            report.check(bool(hit), f"negative: {what} is detected",
                         f"no failure mentioning {needle!r}; failures were: {result.failures}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def new_variable_in_sources(tmp):
        (tmp / "Sources" / "SelfTestRead.swift").write_text(
            'let limit = ProcessInfo.processInfo.environment["PAKA_SELFTEST_UNLISTED"]\n')

    def drop_from_env_example_and_compose(name):
        def mutate(tmp):
            env = tmp / ".env.example"
            env.write_text("\n".join(l for l in env.read_text().splitlines()
                                     if not re.match(rf"^#?\s*{name}=", l.strip())) + "\n")
            compose = yaml.safe_load((tmp / "docker-compose.yml").read_text())
            compose["services"]["paka"]["environment"].pop(name, None)
            (tmp / "docker-compose.yml").write_text(yaml.safe_dump(compose, sort_keys=False))
        return mutate

    def new_placeholder_in_plugins_json(tmp):
        config = json.loads((tmp / "plugins.json").read_text())
        config["plugins"][0].setdefault("config", {})["selfTest"] = "${PAKA_SELFTEST_SECRET:-}"
        (tmp / "plugins.json").write_text(json.dumps(config, indent=2))

    def remove_kafka_ui(tmp):
        compose = yaml.safe_load((tmp / "docker-compose.yml").read_text())
        del compose["services"]["kafka-ui"]
        (tmp / "docker-compose.yml").write_text(yaml.safe_dump(compose, sort_keys=False))

    def invalid_compose_key(tmp):
        compose = yaml.safe_load((tmp / "docker-compose.yml").read_text())
        compose["services"]["paka"]["helthcheck"] = {"test": ["CMD", "true"]}
        (tmp / "docker-compose.yml").write_text(yaml.safe_dump(compose, sort_keys=False))

    def second_swift_build(tmp):
        with open(tmp / "Dockerfile", "a") as f:
            f.write("\nRUN swift build -c release --product paka\n")

    def without_poppler(tmp):
        dockerfile = tmp / "Dockerfile"
        dockerfile.write_text(dockerfile.read_text().replace(" poppler-utils", ""))

    expect_failure("a variable read in Sources/ but missing from .env.example and compose",
                   new_variable_in_sources, "PAKA_SELFTEST_UNLISTED")
    expect_failure("SMTP_PASSWORD removed from .env.example and compose",
                   drop_from_env_example_and_compose("SMTP_PASSWORD"), "SMTP_PASSWORD")
    expect_failure("a new ${VAR} in plugins.json that .env.example lacks",
                   new_placeholder_in_plugins_json, "PAKA_SELFTEST_SECRET")
    expect_failure("a missing kafka-ui service", remove_kafka_ui, "kafka-ui")
    expect_failure("a misspelt compose key (schema)", invalid_compose_key, "helthcheck")
    expect_failure("a second swift build in the Dockerfile", second_swift_build, "swift build -c release --product paka")
    expect_failure("poppler-utils missing from the runtime image", without_poppler, "pdftotext (poppler-utils)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", help="compose-spec.json (default: Tests/Fixtures/compose-spec/compose-spec.json)")
    args = parser.parse_args()
    schema = Path(args.schema or os.environ.get("PAKA_COMPOSE_SCHEMA") or ROOT / "Tests" / "Fixtures" / "compose-spec" / "compose-spec.json")
    if not schema.is_file():
        print(f"FAIL the Compose Specification schema is missing: {schema}\n"
              f"       restore it from git (Tests/Fixtures/compose-spec/), or pass --schema PATH")
        print("deploy checks: 0 passed, 1 failed")
        return 1
    report = run_all(ROOT, schema)
    self_tests(report, schema)
    print(f"deploy checks: {report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
