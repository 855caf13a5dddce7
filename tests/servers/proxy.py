"""nginx in front of a gunicorn, as deploy/nginx/weekly.conf.template configures it: Debian's
binary, its own prefix, ports and cache in a temporary folder, in the foreground.

No Django here: bench/serve_load.py starts it too."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "weekly.conf.template"
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).is_file()), None
)
OPENSSL = shutil.which("openssl")
#: Shown when a test is skipped for want of nginx.
MISSING = "needs nginx: CI installs it (apt-get install nginx)"

# What the official image's /etc/nginx/nginx.conf (and Debian's) wrap the site's file in, with
# every path in the temporary folder so that nothing of the host's is read or written.
MAIN = """\
$user
daemon off;
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/error.log info;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $prefix/access.log;
    client_body_temp_path $prefix/temp/body;
    proxy_temp_path $prefix/temp/proxy;
    fastcgi_temp_path $prefix/temp/fastcgi;
    uwsgi_temp_path $prefix/temp/uwsgi;
    scgi_temp_path $prefix/temp/scgi;
    include $prefix/weekly.conf;
}
"""

TLS = """\
listen 127.0.0.1:$port ssl;
ssl_certificate $prefix/cert.pem;
ssl_certificate_key $prefix/key.pem;
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Nginx:
    """nginx on a free port for plain HTTP and, with ``tls``, another for HTTPS with a
    self-signed certificate for 127.0.0.1, proxying to ``upstream``."""

    def __init__(self, prefix: Path, *, upstream: str, static_root: Path, tls: bool = False):
        self.prefix = prefix
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tls_port = free_port() if tls else None
        self.tls_url = f"https://127.0.0.1:{self.tls_port}" if tls else None
        self.process: subprocess.Popen[bytes] | None = None
        (prefix / "temp").mkdir(parents=True, exist_ok=True)
        (prefix / "site.d").mkdir(exist_ok=True)
        (prefix / "weekly.conf").write_text(
            Template(TEMPLATE.read_text()).safe_substitute(
                WEEKLY_LISTEN=f"127.0.0.1:{self.port}",
                WEEKLY_UPSTREAM=upstream,
                WEEKLY_STATIC_ROOT=str(static_root),
                WEEKLY_CACHE_DIR=str(prefix / "cache"),
                WEEKLY_SITE_DIR=str(prefix / "site.d"),
            )
        )
        # Run by root (a container, CI), nginx's workers would become nobody, who cannot enter
        # pytest's private temporary folders; anyone else's run as themselves anyway.
        user = "user root;" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(Template(MAIN).substitute(prefix=prefix, user=user))
        if tls:
            self._self_signed_certificate()
            (prefix / "site.d" / "tls.conf").write_text(
                Template(TLS).substitute(prefix=prefix, port=self.tls_port)
            )

    def _self_signed_certificate(self) -> None:
        assert OPENSSL, "needs openssl for a certificate"
        subprocess.run(  # noqa: S603 (the system's openssl, fixed arguments)
            [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(self.prefix / "key.pem"), "-out", str(self.prefix / "cert.pem")],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def _command(self, *extra: str) -> list[str]:
        assert NGINX, MISSING
        return [
            NGINX, "-p", f"{self.prefix}/", "-c", str(self.prefix / "nginx.conf"),
            "-e", str(self.prefix / "error.log"), *extra,
        ]  # fmt: skip

    def check(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t`` on the rendered configuration."""
        return subprocess.run(  # noqa: S603 (Debian's nginx, our own configuration)
            self._command("-t"), capture_output=True, text=True, timeout=30
        )

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (Debian's nginx, our own configuration)
            self._command(), start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=(self.prefix / "stderr.log").open("wb"),
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"nginx did not listen on {self.port}\n{self.log()}")

    def cpu(self) -> float:
        """CPU seconds used so far by nginx's master and its processes."""
        ticks = os.sysconf("SC_CLK_TCK")
        pids = [self.process.pid]
        for task in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            pids += [int(pid) for pid in task.read_text().split()]
        total = 0.0
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(stat[11]) + int(stat[12])) / ticks  # utime, stime
        return total

    def log(self) -> str:
        return "\n".join(
            (self.prefix / name).read_text(errors="replace")[-4000:]
            for name in ("stderr.log", "error.log")
            if (self.prefix / name).exists()
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
