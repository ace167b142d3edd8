"""A real single-node SLURM cluster (munge, slurmctld, slurmd from Debian's slurm-wlm) for the tests.

State, spool, logs and PID files live in one temporary folder. slurm.conf and gres.conf (one fake GPU
backed by /dev/null) go to /etc/slurm, the path compiled into the clients: the Snakemake job step
drops SLURM_CONF before its nested srun, so a config elsewhere is not found inside jobs. A
slurm.conf that was there before is put back by stop(). No accounting database: completed jobs stay
visible in squeue for MinJobAge seconds, which is how the tests read what ran.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PACKAGES = ("slurm-wlm", "munge")
DAEMONS = ("slurmctld", "slurmd", "munged")
ETC = Path("/etc/slurm")
SAVED = ".norelmo-test-saved"


class SlurmUnavailable(RuntimeError):
    """Why a real SLURM cannot be started here (no root, no apt, host name not resolvable)."""


def ensure_installed() -> None:
    if all(shutil.which(d) or Path(f"/usr/sbin/{d}").exists() for d in DAEMONS):
        return
    if os.geteuid() != 0:
        raise SlurmUnavailable("SLURM is not installed and this user is not root, so apt-get cannot install it")
    if not shutil.which("apt-get"):
        raise SlurmUnavailable("SLURM is not installed and there is no apt-get to install it")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *PACKAGES]):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SlurmUnavailable(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")


def _node_line(host: str) -> str:
    """slurmd -C's description of this machine, with memory kept back for the daemons."""
    out = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True).stdout
    fields = dict(f.split("=", 1) for f in out.split()[:7] if "=" in f)
    fields["NodeName"] = host
    fields["RealMemory"] = str(int(fields["RealMemory"]) - 1024)
    return " ".join(f"{k}={v}" for k, v in fields.items()) + " State=UNKNOWN Gres=gpu:1"


class SlurmCluster:
    def __init__(self):
        # Not under pytest's tmp folder: that is private to root, and slurmctld runs as the slurm user.
        self.root = Path(tempfile.mkdtemp(prefix="norelmo-slurm-"))
        self.root.chmod(0o755)
        self.host = socket.gethostname().split(".")[0]
        self.conf = ETC / "slurm.conf"
        self.env = dict(os.environ, SLURM_CONF=str(self.conf))

    def _write_config(self) -> None:
        for sub in ("ctld", "d", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        shutil.chown(self.root / "ctld", "slurm", "slurm")
        r = self.root
        lines = [
            "ClusterName=norelmo-test",
            f"SlurmctldHost={self.host}",
            "SlurmUser=slurm",
            "AuthType=auth/munge",
            f"StateSaveLocation={r}/ctld",
            f"SlurmdSpoolDir={r}/d",
            f"SlurmctldPidFile={r}/slurmctld.pid",
            f"SlurmdPidFile={r}/slurmd.pid",
            f"SlurmctldLogFile={r}/log/slurmctld.log",
            f"SlurmdLogFile={r}/log/slurmd.log",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "JobCompType=jobcomp/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core_Memory",
            "ReturnToService=2",
            # Finished jobs stay in squeue this long: the workflow test reads every job it ran from there.
            "MinJobAge=3600",
            "InactiveLimit=0",
            "KillWait=5",
            "MpiDefault=none",
            "GresTypes=gpu",
            _node_line(self.host),
            # The partition names the shipped profile uses: CPU jobs to `normal`, GPU jobs to `accel`.
            f"PartitionName=normal Nodes={self.host} Default=YES MaxTime=INFINITE State=UP",
            f"PartitionName=accel Nodes={self.host} MaxTime=INFINITE State=UP",
        ]
        ETC.mkdir(parents=True, exist_ok=True)
        for name in ("slurm.conf", "gres.conf"):
            if (ETC / name).exists() and not (ETC / (name + SAVED)).exists():
                (ETC / name).rename(ETC / (name + SAVED))
        self.conf.write_text("\n".join(lines) + "\n")
        # A GPU that SLURM can hand out: /dev/null stands in for the device file.
        (ETC / "gres.conf").write_text(f"NodeName={self.host} Name=gpu File=/dev/null Count=1\n")

    def start(self, timeout: float = 60) -> None:
        if os.geteuid() != 0:
            raise SlurmUnavailable("slurmd and munged must be started as root, and this user is not root")
        ensure_installed()
        try:
            socket.gethostbyname(self.host)
        except OSError:
            # Containers often leave their own name unresolvable; slurmctld must bind to it.
            with open("/etc/hosts", "a", encoding="utf-8") as hosts:
                hosts.write(f"127.0.0.1 {self.host}\n")
        self._write_config()
        run = Path("/run/munge")
        run.mkdir(parents=True, exist_ok=True)
        shutil.chown(run, "munge", "munge")
        if subprocess.run(["munge", "-n"], capture_output=True).returncode != 0:
            subprocess.run(["runuser", "-u", "munge", "--", "/usr/sbin/munged", "--force"], check=True)
            self._wait(lambda: subprocess.run(["munge", "-n"], capture_output=True).returncode == 0, timeout, "munged")
        subprocess.run(["slurmctld", "-i", "-f", str(self.conf)], env=self.env, check=True)
        subprocess.run(["slurmd", "-f", str(self.conf)], env=self.env, check=True)
        self._wait(lambda: self.node_states() == {"idle"}, timeout, "the node to become idle")

    def node_states(self) -> set[str]:
        out = subprocess.run(["sinfo", "-h", "-o", "%t"], env=self.env, capture_output=True, text=True)
        return set(out.stdout.split())

    def _wait(self, ready, timeout: float, what: str) -> None:
        end = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > end:
                raise RuntimeError(f"timed out waiting for {what}; logs:\n{self.log_tails()}")
            time.sleep(0.2)

    def log_tails(self) -> str:
        parts = []
        for log in sorted((self.root / "log").glob("*.log")):
            parts.append(f"--- {log}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-20:]))
        return "\n".join(parts)

    def jobs(self) -> list[dict[str, str]]:
        """Every job the controller knows, finished ones included, as `scontrol show job` key/value pairs."""
        out = subprocess.run(
            ["scontrol", "-o", "show", "job"], env=self.env, capture_output=True, text=True, check=True
        ).stdout
        jobs = []
        for line in out.splitlines():
            if line.startswith("No jobs"):
                continue
            fields: dict[str, str] = {}
            for token in line.split():
                key, _, value = token.partition("=")
                fields[key] = value
            jobs.append(fields)
        return jobs

    def stop(self, timeout: float = 30) -> None:
        """Stops slurmd, slurmctld and munged by the PIDs in their PID files, then waits until they are gone."""
        for pidfile in (self.root / "slurmd.pid", self.root / "slurmctld.pid", Path("/run/munge/munged.pid")):
            try:
                pid = int(pidfile.read_text().strip())
                os.kill(pid, signal.SIGTERM)
            except (FileNotFoundError, ValueError, ProcessLookupError):
                continue
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)
        for name in ("slurm.conf", "gres.conf"):
            (ETC / name).unlink(missing_ok=True)
            if (ETC / (name + SAVED)).exists():
                (ETC / (name + SAVED)).rename(ETC / name)
