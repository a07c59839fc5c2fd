"""A throwaway PostgreSQL cluster for the benchmark: initdb in a folder of its own, a unix
socket in that folder only, default durability settings (fsync and synchronous_commit on).

initdb refuses to run as root, so as root the server's tools run as the postgres user."""
import glob
import os
import shutil
import subprocess


def _bin():
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not versions:
        raise SystemExit("no PostgreSQL server binaries: install Debian's postgresql (make deps does)")
    return os.path.dirname(versions[0])


class Server:
    def __init__(self, folder):
        self.folder = folder
        self.data = os.path.join(folder, "data")
        self.bin = _bin()
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        if os.getuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        self._tool("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self._tool("pg_ctl", "-D", self.data, "-l", os.path.join(folder, "server.log"), "-w",
                   "-o", f"-k {folder} -c listen_addresses='' -c max_wal_size=4GB", "start")

    def _tool(self, name, *arguments):
        command = [os.path.join(self.bin, name), *arguments]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--"] + command
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def psql(self, sql):
        return subprocess.run(["psql", "-h", self.folder, "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                               "-Atqc", sql], check=True, capture_output=True, text=True).stdout

    def psql_command(self, sql):
        return ["psql", "-h", self.folder, "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql]

    def empty(self):
        """A cleanup: the public schema dropped with everything in it, as before the first run."""
        return lambda: self.psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public; CHECKPOINT")

    def stop(self):
        self._tool("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
