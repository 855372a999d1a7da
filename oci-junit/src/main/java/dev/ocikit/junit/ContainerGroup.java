package dev.ocikit.junit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The containers of one scope (a test class's static fields, or one test's instance fields),
 * started together and stopped together. Independent containers start in parallel, one thread
 * each; if any fails, those that started are stopped again and the first failure is thrown with
 * the others suppressed. Closing stops them all (in parallel), whatever happens to each.
 */
final class ContainerGroup implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** A container and the name to give it. */
    record Member(OciContainer container, String name) {}

    private final List<OciContainer> started;

    private ContainerGroup(List<OciContainer> started) {
        this.started = started;
    }

    static ContainerGroup start(Environment env, List<Member> members) throws InterruptedException {
        if (members.isEmpty()) {
            return new ContainerGroup(new ArrayList<>());
        }
        if (members.size() == 1) {
            Member only = members.get(0);
            only.container().acquireShared(env, only.name());
            return new ContainerGroup(new ArrayList<>(List.of(only.container())));
        }
        ExecutorService threads = Executors.newFixedThreadPool(members.size(), r -> {
            Thread t = new Thread(r, "ocikit-junit-start-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        List<AtomicBoolean> acquired = new ArrayList<>();
        List<Future<?>> starts = new ArrayList<>();
        for (Member m : members) {
            AtomicBoolean done = new AtomicBoolean();
            acquired.add(done);
            starts.add(threads.submit(() -> {
                m.container().acquireShared(env, m.name());
                done.set(true);
            }));
        }
        threads.shutdown();
        InterruptedException interrupted = null;
        RuntimeException failure = null;
        for (int i = 0; i < starts.size(); i++) {
            while (true) {
                try {
                    starts.get(i).get();
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException r ? r
                            : new ContainerLaunchException("could not start " + members.get(i).container(), e.getCause());
                    if (failure == null) {
                        failure = cause;
                    } else {
                        failure.addSuppressed(cause);
                    }
                } catch (CancellationException e) {
                    // interrupted below; whether it had started is in acquired
                } catch (InterruptedException e) {
                    interrupted = e;
                    starts.forEach(f -> f.cancel(true));
                    continue;
                }
                break;
            }
        }
        if (interrupted != null) {
            awaitQuietly(threads); // a start that was under way finishes before it is undone
        }
        List<OciContainer> up = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            if (acquired.get(i).get()) {
                up.add(members.get(i).container());
            }
        }
        ContainerGroup group = new ContainerGroup(up);
        if (failure == null && interrupted == null) {
            return group;
        }
        Exception thrown = failure != null ? failure : interrupted;
        try {
            group.close();
        } catch (RuntimeException e) {
            thrown.addSuppressed(e);
        }
        if (interrupted != null) {
            Thread.currentThread().interrupt();
            if (failure == null) {
                throw interrupted;
            }
            failure.addSuppressed(interrupted);
        }
        throw failure;
    }

    private static void awaitQuietly(ExecutorService threads) {
        boolean interrupted = false;
        while (true) {
            try {
                if (threads.awaitTermination(1, TimeUnit.DAYS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops every container of the group, in parallel; throws the first failure, the others suppressed. */
    @Override
    public void close() {
        List<OciContainer> toStop;
        synchronized (this) {
            toStop = new ArrayList<>(started);
            started.clear();
        }
        if (toStop.isEmpty()) {
            return;
        }
        List<Thread> stoppers = new ArrayList<>();
        List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (OciContainer c : toStop) {
            Thread t = new Thread(() -> {
                try {
                    c.releaseShared();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }, "ocikit-junit-stop-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            t.start();
            stoppers.add(t);
        }
        boolean interrupted = false;
        for (Thread t : stoppers) {
            while (true) {
                try {
                    t.join(); // removal must finish: a test run that goes on would find the container still there
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
