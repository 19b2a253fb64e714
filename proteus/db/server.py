"""Assemble, start and stop a local Neo4j 5.26 Community server from Maven Central jars.

Layout under `settings.home` (git-ignored):
    neo4j/lib          server jars          neo4j/plugin-jars   APOC and GDS jars
    neo4j/plugins      the plugins in use   neo4j/conf          neo4j.conf (rewritten by `up`)
    neo4j/data, logs, run, import
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import resource
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from proteus import browser
from proteus.db import store
from proteus.errors import ServerError
from proteus.settings import Settings

log = logging.getLogger(__name__)

_ENTRY = "org.neo4j.server.CommunityEntryPoint"
_JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
]
_PLUGIN_GROUPS = "org.neo4j.gds,org.neo4j.procedure"


@dataclass(frozen=True)
class Layout:
    home: Path

    @classmethod
    def of(cls, settings: Settings) -> Layout:
        return cls(settings.home.resolve() / "neo4j")

    lib = property(lambda self: self.home / "lib")
    plugin_jars = property(lambda self: self.home / "plugin-jars")
    plugins = property(lambda self: self.home / "plugins")
    conf = property(lambda self: self.home / "conf")
    data = property(lambda self: self.home / "data")
    logs = property(lambda self: self.home / "logs")
    run = property(lambda self: self.home / "run")
    import_ = property(lambda self: self.home / "import")
    build = property(lambda self: self.home / "build")

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "proteus-neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"


def _require(tool: str, hint: str) -> str:
    found = shutil.which(tool)
    if not found:
        raise ServerError(f"'{tool}' is not on PATH: {hint}")
    return found


def _pom_text() -> str:
    return (resources.files("proteus.db") / "pom.xml").read_text(encoding="utf-8")


def assemble(layout: Layout) -> None:
    """Fetch the server and plugin jars with Maven (cached in ~/.m2) unless already done."""
    pom = _pom_text()
    digest = hashlib.sha256(pom.encode()).hexdigest()
    marker = layout.home / ".assembled"
    if marker.exists() and marker.read_text() == digest:
        return
    _require("java", "install a Java 17 or 21 JDK (e.g. apt-get install openjdk-17-jdk-headless)")
    mvn = _require("mvn", "install Apache Maven (e.g. apt-get install maven)")
    layout.build.mkdir(parents=True, exist_ok=True)
    (layout.build / "pom.xml").write_text(pom, encoding="utf-8")
    for target in (layout.lib, layout.plugin_jars):
        shutil.rmtree(target, ignore_errors=True)
    log.info("assembling Neo4j from Maven Central (first time only; jars are cached in ~/.m2)")
    base = [mvn, "-q", "-B", "-f", str(layout.build / "pom.xml"), "dependency:copy-dependencies",
            "-DincludeScope=runtime"]
    for out, flag in ((layout.lib, "-DexcludeGroupIds"), (layout.plugin_jars, "-DincludeGroupIds")):
        done = subprocess.run([*base, f"-DoutputDirectory={out}", f"{flag}={_PLUGIN_GROUPS}"],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = " | ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
            raise ServerError(f"Maven could not fetch the Neo4j jars: {tail}")
    marker.write_text(digest)


def _conf_text(layout: Layout, settings: Settings, data: Path) -> str:
    template = (resources.files("proteus.db") / "neo4j.conf.template").read_text()
    return template.format(home=layout.home, data=data, bolt_port=settings.bolt_port,
                           http_port=settings.http_port, heap=settings.heap,
                           pagecache=settings.pagecache,
                           post_connect=browser.post_connect(_local_api(settings)))


def _local_api(settings: Settings) -> str:
    """The API's URL as the Browser (on this machine) reaches it."""
    host = "127.0.0.1" if settings.api_host in ("0.0.0.0", "::", "") else settings.api_host
    return f"http://{host}:{settings.api_port}"


def _configure(layout: Layout, settings: Settings) -> None:
    layout.home.mkdir(parents=True, exist_ok=True)
    store.current(layout.home)
    for folder in (layout.conf, layout.logs, layout.run, layout.import_, layout.plugins):
        folder.mkdir(parents=True, exist_ok=True)
    (layout.conf / "neo4j.conf").write_text(_conf_text(layout, settings, layout.data))
    for jar in layout.plugins.glob("*.jar"):
        jar.unlink()
    for jar in layout.plugin_jars.glob("*.jar"):
        if settings.gds or jar.name.startswith("apoc-"):
            os.link(jar, layout.plugins / jar.name)
    if not (layout.data / "dbms" / "auth.ini").exists():
        admin(settings, ["dbms", "set-initial-password",
                         settings.neo4j_password.get_secret_value()], layout.data,
              "could not set the initial password")


def admin(settings: Settings, arguments: list[str], data: Path, failure: str,
          heap: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `neo4j-admin ARGUMENTS` on the data folder `data` (a generation of the managed
    server's store); raise ServerError(failure + the tool's last lines) when it fails."""
    layout = Layout.of(settings)
    assemble(layout)
    conf = layout.home / "conf-admin"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "neo4j.conf").write_text(_conf_text(layout, settings, data))
    env = {**os.environ, "NEO4J_HOME": str(layout.home), "NEO4J_CONF": str(conf)}
    java = _require("java", "install a Java 17 or 21 JDK")
    memory = [f"-Xmx{heap}"] if heap else []
    done = subprocess.run(
        [java, *memory, "-cp", f"{layout.lib}/*", "org.neo4j.cli.AdminTool", *arguments],
        capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        tail = " | ".join((done.stdout + done.stderr).strip().splitlines()[-4:])
        raise ServerError(f"{failure}: {tail[-600:]}")
    return done


def running_pid(layout: Layout) -> int | None:
    try:
        pid = int(layout.pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if _ENTRY.encode() in cmdline else None


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _raise_soft_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 40000 if hard == resource.RLIM_INFINITY else min(40000, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def _log_tail(layout: Layout, lines: int = 3) -> str:
    try:
        text = layout.console_log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    errors = [line for line in text if " ERROR " in line] or text
    return " | ".join(line.strip()[:240] for line in errors[-lines:])


def start(settings: Settings) -> bool:
    """Start the server unless it runs already; return True when this call started it."""
    layout = Layout.of(settings)
    if running_pid(layout):
        return False
    for port in (settings.bolt_port, settings.http_port):
        if _port_open(port):
            raise ServerError(
                f"port {port} on 127.0.0.1 is taken by another process; stop it or set "
                "PROTEUS_BOLT_PORT / PROTEUS_HTTP_PORT")
    java = _require("java", "install a Java 17 or 21 JDK")
    assemble(layout)
    _configure(layout, settings)
    classpath = f"{layout.plugins}/*:{layout.conf}/*:{layout.lib}/*"
    command = [java, f"-Xms{settings.heap}", f"-Xmx{settings.heap}", *_JVM_FLAGS,
               "-cp", classpath, _ENTRY, f"--home-dir={layout.home}",
               f"--config-dir={layout.conf}", "--console-mode"]
    _raise_soft_nofile()
    pid = os.posix_spawn(java, command, dict(os.environ), setsid=True, file_actions=[
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(layout.console_log), os.O_WRONLY | os.O_APPEND | os.O_CREAT,
         0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ])
    layout.pid_file.write_text(str(pid))
    log.info(f"starting Neo4j (pid {pid}), log {layout.console_log}")
    deadline = time.monotonic() + settings.start_timeout_s
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            layout.pid_file.unlink(missing_ok=True)
            code = os.waitstatus_to_exitcode(status)
            if code == 2:
                raise ServerError(f"Neo4j store at {layout.data} is locked by another process")
            raise ServerError(f"Neo4j exited with code {code}: {_log_tail(layout)}")
        if _port_open(settings.bolt_port):
            return True
        time.sleep(0.5)
    stop(settings)
    raise ServerError(f"Neo4j did not open Bolt within {settings.start_timeout_s:.0f}s: "
                      f"{_log_tail(layout)}")


def stop(settings: Settings, timeout_s: float = 90.0) -> bool:
    """Stop the server cleanly (SIGTERM); return False when none was running."""
    layout = Layout.of(settings)
    pid = running_pid(layout)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if running_pid(layout) is None or not Path(f"/proc/{pid}").exists():
            break
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.3)
    else:
        raise ServerError(f"Neo4j (pid {pid}) did not stop within {timeout_s:.0f}s")
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    layout.pid_file.unlink(missing_ok=True)
    return True
