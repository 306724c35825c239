package dev.yardstick.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * After the service was killed ({@code kill -9}, out of memory), the postmaster it started keeps running
 * on its data directory and a new server cannot start there. This finds that postmaster from
 * {@code postmaster.pid} and stops it, but only once it is sure the process is a PostgreSQL server
 * whose data directory is this one: never another process that happens to have that pid.
 */
final class Orphans {

    private static final Logger LOG = Logger.getLogger(Orphans.class);

    /** What the process named in postmaster.pid is. */
    enum Owner {
        /** A postmaster of this data directory. */
        THIS_DIRECTORY,
        /** Some other process (the pid was reused after the postmaster died). */
        OTHER,
        /** Could not be told (no /proc, no ps, no permission): left alone. */
        UNKNOWN
    }

    private Orphans() {
    }

    /** Stops the postmaster left running on {@code data}, if there is one. */
    static void stopOrphanedPostmaster(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        Optional<Long> pid = pid(pidFile);
        Optional<ProcessHandle> process = pid.flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return; // no file, or a stale one: PostgreSQL starts over it by itself
        }
        switch (owner(pid.get(), data)) {
            case THIS_DIRECTORY -> stop(process.get(), data);
            case OTHER -> {
                // PostgreSQL would refuse to start while the pid in its lock file is alive
                LOG.warnf("postmaster.pid of %s names process %d, which is not a PostgreSQL server of that "
                        + "directory; removing the stale lock file", data, pid.get());
                Files.deleteIfExists(pidFile);
            }
            case UNKNOWN -> LOG.warnf("postmaster.pid of %s names running process %d, which could not be "
                    + "identified; it is left alone", data, pid.get());
        }
    }

    private static Optional<Long> pid(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        try {
            long pid = lines.isEmpty() ? 0 : Long.parseLong(lines.get(0).trim());
            return pid > 0 && pid != ProcessHandle.current().pid() ? Optional.of(pid) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether process {@code pid} is a postmaster of {@code data}: on Linux its executable is
     * {@code postgres} and its working directory (a postmaster works in its data directory) is
     * {@code data}; elsewhere its command line is {@code postgres -D <data> ...}.
     */
    static Owner owner(long pid, Path data) {
        Path dir = realPath(data);
        Path proc = Path.of("/proc", Long.toString(pid));
        if (Files.isDirectory(proc)) {
            try {
                Path exe = Files.readSymbolicLink(proc.resolve("exe"));
                Path cwd = proc.resolve("cwd").toRealPath();
                String name = exe.getFileName().toString().replace(" (deleted)", "");
                return isPostgres(name) && cwd.equals(dir)
                        ? Owner.THIS_DIRECTORY
                        : Owner.OTHER;
            } catch (IOException | SecurityException e) {
                // not ours to read: fall back on the command line
            }
        }
        Optional<String> args = commandLine(pid);
        if (args.isEmpty()) {
            return Owner.UNKNOWN;
        }
        List<String> words = Arrays.asList(args.get().trim().split("\\s+"));
        int d = words.indexOf("-D");
        boolean postgres = !words.isEmpty() && isPostgres(Path.of(words.get(0)).getFileName().toString());
        return postgres && d >= 0 && d + 1 < words.size() && realPath(Path.of(words.get(d + 1))).equals(dir)
                ? Owner.THIS_DIRECTORY
                : Owner.OTHER;
    }

    private static boolean isPostgres(String executable) {
        return executable.equals("postgres") || executable.equals("postgres.exe");
    }

    private static Optional<String> commandLine(long pid) {
        try {
            Process ps = new ProcessBuilder("ps", "-ww", "-o", "args=", "-p", Long.toString(pid))
                    .redirectErrorStream(true).start();
            String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return ps.waitFor(10, TimeUnit.SECONDS) && ps.exitValue() == 0 && !out.isBlank()
                    ? Optional.of(out)
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** Fast shutdown (SIGINT: sessions ended, data flushed), then immediate (SIGQUIT) if it hangs. */
    private static void stop(ProcessHandle postmaster, Path data) throws IOException {
        LOG.warnf("A PostgreSQL server (pid %d) was left running on %s by a service that did not stop "
                + "cleanly; stopping it", postmaster.pid(), data);
        if (!signal(postmaster, "INT") || !exited(postmaster, 60)) {
            if (!signal(postmaster, "QUIT") || !exited(postmaster, 20)) {
                throw new IOException("The PostgreSQL server (pid " + postmaster.pid() + ") left running on "
                        + data + " did not stop; stop it and start the service again");
            }
        }
        LOG.infof("Stopped the PostgreSQL server left running on %s", data);
    }

    private static boolean signal(ProcessHandle process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            kill.getInputStream().readAllBytes();
            return kill.waitFor(10, TimeUnit.SECONDS) && (kill.exitValue() == 0 || !process.isAlive());
        } catch (IOException e) {
            return process.destroy(); // no kill command: SIGTERM (smart shutdown)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean exited(ProcessHandle process, int seconds) {
        try {
            process.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
