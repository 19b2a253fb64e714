"""The package as users get it, built as the images build it.

Without Docker: each Dockerfile is parsed (`dockerfile-parse`), its COPY instructions are
replayed from the build context (less what `.dockerignore` leaves out) into a folder that
stands for the image's WORKDIR, and the wheel is built there as its `pip install` RUN line
would build it, so a folder the wheel force-includes but the Dockerfile does not copy fails
the build. The main image's wheel is then installed with its dependencies into a fresh
virtualenv outside the checkout and runs `proteus --help` and a dry run from a directory
that is not the checkout, with the rules and Cypher files it ships.

With Docker (tests marked `docker`, which `make test` deselects where no Docker daemon
answers): the image itself is built and runs `proteus --help`.

The dependencies come from a wheelhouse kept beside the test server (`PROTEUS_HOME`), so the
install runs offline once it is filled; the first run (or a run after the dependencies
changed) fills it with `pip wheel`, which needs the package index."""

from __future__ import annotations

import fnmatch
import glob
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from proteus import queries
from proteus.graph import Graph
from proteus.settings import Settings
from proteus.taxonomy import builtin

ROOT = Path(__file__).resolve().parents[2]
PIP = [sys.executable, "-m", "pip"]
# RUN lines that set up the system rather than the package: the replay cannot run them
# (they need the image's root), and the package build does not depend on them.
# commands of RUN lines that set up the system or what the installed package assembles
SYSTEM_SETUP = ("apt-get ", "rm -rf ", "python -m proteus.spark.runtime ")


@dataclass
class Image:
    """What a Dockerfile does with the build context: its WORKDIR, its COPY instructions
    (sources in the context, destination in the image), its RUN lines and its CMD."""

    workdir: PurePosixPath = field(default_factory=lambda: PurePosixPath("/"))
    copies: list[tuple[list[str], PurePosixPath, bool]] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> Image:
        parsed = DockerfileParser(fileobj=io.BytesIO(text.encode()))
        assert not parsed.is_multistage, "a multi-stage build is not replayed"
        image = cls()
        for instruction in parsed.structure:
            kind, value = instruction["instruction"], instruction["value"]
            if kind == "WORKDIR":
                image.workdir = image.workdir / value
            elif kind in ("COPY", "ADD"):
                words = json.loads(value) if value.startswith("[") else shlex.split(value)
                assert kind == "COPY" and not words[0].startswith("--"), (
                    f"not replayed: {instruction['content'].strip()}")
                *sources, target = words
                into_folder = len(sources) > 1 or target.endswith("/") or target == "."
                image.copies.append((sources, image.workdir / target, into_folder))
            elif kind == "RUN":
                image.runs.append(" ".join(value.split()))
            elif kind == "CMD":
                image.cmd = json.loads(value)
        return image

    def pip_install(self) -> str:
        """What the image's `pip install` installs (`.`, `.[spark]`); every other command of
        its RUN lines must be system setup."""
        commands = [part.strip() for run in self.runs for part in run.split("&&")]
        installs = [c for c in commands if c.startswith("pip install ")]
        others = [c for c in commands
                  if c not in installs and not c.startswith(SYSTEM_SETUP)]
        assert len(installs) == 1 and others == [], self.runs
        (target,) = [word for word in shlex.split(installs[0])[2:] if not word.startswith("-")]
        return target


def _ignored(context: Path) -> list[str]:
    patterns = [line.strip() for line in (context / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert not [p for p in patterns if p.startswith("!") or "**" in p], (
        "exceptions and ** in .dockerignore are not replayed")
    return [p.strip("/") for p in patterns]


def _left_out(relative: PurePosixPath, ignored: list[str]) -> bool:
    """Whether `.dockerignore` keeps the path (or a folder above it) out of the context."""
    prefixes = [PurePosixPath(*relative.parts[:n]) for n in range(1, len(relative.parts) + 1)]
    return any(fnmatch.fnmatchcase(str(p), pattern) for p in prefixes for pattern in ignored)


def replay(image: Image, context: Path, root: Path) -> Path:
    """Copy what the COPY instructions copy from `context` into `root` (the image's `/`),
    as Docker does: a folder's content into the target, a file into a target folder (one
    ending in `/`, or named with other sources) or as the target. Returns the WORKDIR."""
    ignored = _ignored(context)
    for sources, target, folder in image.copies:
        into = root / target.relative_to("/")
        found = [Path(p) for s in sources for p in sorted(glob.glob(str(context / s)))]
        assert found and len(found) >= len(sources), f"COPY {sources}: not in the context"
        for source in found:
            relative = PurePosixPath(source.relative_to(context).as_posix())
            if _left_out(relative, ignored):
                continue
            if source.is_dir():
                for path in sorted(source.rglob("*")):
                    inner = PurePosixPath(path.relative_to(context).as_posix())
                    if path.is_file() and not _left_out(inner, ignored):
                        copied = into / path.relative_to(source)
                        copied.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(path, copied)
            else:
                copied = into / source.name if folder else into
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, copied)
    return root / image.workdir.relative_to("/")


def _image(dockerfile: str) -> Image:
    return Image.parse((ROOT / dockerfile).read_text())


def _build(workdir: Path, target: str, out: Path) -> subprocess.CompletedProcess[str]:
    """The wheel `pip install <target>` builds in the image's WORKDIR (its own dependencies
    installed apart, from the wheelhouse)."""
    assert target.split("[")[0] == ".", f"pip install {target}: not the copied project"
    return subprocess.run([*PIP, "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                           "--wheel-dir", str(out), "."], cwd=workdir, capture_output=True,
                          text=True, check=False)


def _wheel_built_as_the_image_builds_it(dockerfile: str, tmp_path: Path) -> tuple[Image, Path]:
    image = _image(dockerfile)
    workdir = replay(image, ROOT, tmp_path / "image")
    built = _build(workdir, image.pip_install(), tmp_path / "dist")
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("proteus-*.whl")
    return image, wheel


def _install(wheel: Path, venv: Path, wheelhouse: Path) -> None:
    """The wheel and its dependencies, from the wheelhouse only (no index); the wheelhouse
    is filled from the index when it lacks a dependency."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    install = [*PIP, "--python", str(venv / "bin" / "python"), "install", "--quiet",
               "--no-compile", "--no-index", "--find-links", str(wheelhouse), str(wheel)]
    wheelhouse.mkdir(parents=True, exist_ok=True)
    if subprocess.run(install, capture_output=True, check=False).returncode == 0:
        return
    subprocess.run([*PIP, "wheel", "--quiet", "--wheel-dir", str(wheelhouse), str(wheel)],
                   check=True)
    for built in wheelhouse.glob("proteus-*.whl"):  # only the wheel under test installs it
        built.unlink()
    subprocess.run(install, check=True)


def test_the_replay_copies_as_docker_does(tmp_path: Path) -> None:
    """Files into a folder target, a folder's content into its target, `.dockerignore`
    honoured, the WORKDIR as the image's."""
    context = tmp_path / "context"
    (context / "pkg" / "data").mkdir(parents=True)
    (context / "pkg" / "a.py").write_text("a")
    (context / "pkg" / "data" / "b.yaml").write_text("b")
    (context / "pkg" / "local.env").write_text("secret")
    (context / "top.toml").write_text("t")
    (context / ".dockerignore").write_text("# comment\npkg/*.env\n")
    image = Image.parse("FROM python:3.11-slim\nWORKDIR /srv\nCOPY top.toml ./\n"
                        "COPY pkg ./app\nRUN pip install .\nCMD [\"app\"]\n")
    workdir = replay(image, context, tmp_path / "root")
    assert workdir == tmp_path / "root" / "srv"
    copied = sorted(p.relative_to(workdir).as_posix() for p in workdir.rglob("*") if p.is_file())
    assert copied == ["app/a.py", "app/data/b.yaml", "top.toml"]
    assert (image.pip_install(), image.cmd) == (".", ["app"])


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "Dockerfile.spark"])
def test_each_image_builds_its_wheel_from_what_it_copies(dockerfile: str,
                                                         tmp_path: Path) -> None:
    """The wheel built in the replayed WORKDIR carries every rules and Cypher file."""
    _, wheel = _wheel_built_as_the_image_builds_it(dockerfile, tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("cypher", "rules"):
        shipped = {f"proteus/{folder}/{p.relative_to(ROOT / folder).as_posix()}"
                   for p in (ROOT / folder).rglob("*") if p.is_file()}
        assert shipped and sorted(shipped - names) == []


@pytest.mark.parametrize("left_out", ["rules", "cypher"])
def test_an_image_that_does_not_copy_a_shipped_folder_fails_to_build(left_out: str,
                                                                    tmp_path: Path) -> None:
    text = (ROOT / "Dockerfile").read_text()
    line = f"COPY {left_out} ./{left_out}\n"
    assert line in text
    image = Image.parse(text.replace(line, ""))
    built = _build(replay(image, ROOT, tmp_path / "image"), image.pip_install(),
                   tmp_path / "dist")
    assert built.returncode != 0
    assert f"Forced include not found: {tmp_path / 'image' / 'app' / left_out}" in built.stderr


def test_the_installed_wheel_runs_outside_the_checkout(graph: Graph, settings: Settings,
                                                       tmp_path: Path) -> None:
    image, wheel = _wheel_built_as_the_image_builds_it("Dockerfile", tmp_path)
    venv = tmp_path / "venv"
    _install(wheel, venv, settings.home / "wheelhouse")
    assert (venv / "bin" / image.cmd[0]).is_file()  # what the image runs is installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert ROOT not in elsewhere.parents and not (elsewhere.parent / "shared").exists()
    env = {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
           "HOME": str(tmp_path), "PROTEUS_ENV": "test", "PROTEUS_HOME": str(tmp_path / "home"),
           "PROTEUS_NEO4J_URI": settings.bolt_uri, "PROTEUS_NEO4J_USER": settings.neo4j_user,
           "PROTEUS_NEO4J_PASSWORD": settings.neo4j_password.get_secret_value()}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=elsewhere, env=env, capture_output=True,
                              text=True, timeout=300, check=False)

    where = run(str(venv / "bin" / "python"), "-c",
                "import proteus, sys; print(proteus.__file__); print(*sys.path, sep='\\n')")
    assert where.returncode == 0, where.stderr
    package, *path = where.stdout.splitlines()
    assert Path(package).is_relative_to(venv / "lib")
    assert not [p for p in path if p and Path(p).resolve().is_relative_to(ROOT)]

    helped = run("proteus", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "Proteus: explainable audience intelligence on Neo4j." in helped.stdout
    for command in ("audience", "bench", "generate", "identity", "run", "taxonomy"):
        assert f"\n  {command} " in helped.stdout, command

    loaded = run("proteus", "taxonomy", "load")  # no ../shared/iab here: the built-in subset
    assert loaded.returncode == 0, loaded.stderr
    taxonomy = json.loads(loaded.stdout.splitlines()[-1])
    policy = yaml.safe_load((ROOT / "rules" / "policy.yaml").read_text())
    assert taxonomy["source"] == "builtin"
    assert taxonomy["taxonomies"] == {"content-3.1": len(builtin.CATEGORIES)}
    assert f"(policy {policy['version']})" in loaded.stderr  # the shipped rules/policy.yaml

    definition = elsewhere / "sports.yaml"
    shutil.copy(ROOT / "rules" / "audiences" / "sports-big-screen.yaml", definition)
    dry = run("proteus", "audience", "dry-run", definition.name)
    assert dry.returncode == 0, dry.stderr
    result = json.loads(dry.stdout.splitlines()[-1])
    governance = yaml.safe_load((ROOT / "rules" / "governance.yaml").read_text())
    assert (result["name"], result["members"]) == ("sports-big-screen", 0)
    assert result["min_size"] == governance["min_audience_size"]
    assert result["materialisable"] is False and result["query_name"] == "conditions/members"
    statement = queries.get("conditions/members").text  # the checkout's file
    assert dry.stderr.startswith(f"// conditions/members\n{statement}\n// params: ")


@pytest.mark.docker
def test_docker_builds_the_image_and_it_runs_proteus() -> None:
    """The real image, where a Docker daemon answers (elsewhere `make test` deselects this
    test with `-m "not docker"`, see README: Development)."""
    docker = shutil.which("docker")
    answered = docker and subprocess.run([docker, "info"], capture_output=True, timeout=60,
                                         check=False).returncode == 0
    assert docker and answered, "no Docker daemon answers: deselect with -m 'not docker'"
    tag = "proteus-test-image:latest"
    subprocess.run([docker, "build", "--quiet", "--tag", tag, "--file", "Dockerfile", "."],
                   cwd=ROOT, check=True, timeout=1800)
    try:
        helped = subprocess.run([docker, "run", "--rm", tag, "proteus", "--help"],
                                capture_output=True, text=True, timeout=300, check=False)
        assert helped.returncode == 0, helped.stderr
        assert "Proteus: explainable audience intelligence on Neo4j." in helped.stdout
    finally:
        subprocess.run([docker, "image", "rm", "--force", tag], capture_output=True,
                       check=False)
