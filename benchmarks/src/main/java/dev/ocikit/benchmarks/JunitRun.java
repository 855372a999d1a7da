package dev.ocikit.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one test class through the JUnit Platform launcher, as an IDE or a build tool's test
 * runner does, prints the summary and exits 0 only if every test passed.
 *
 * <pre>java -cp ... dev.ocikit.benchmarks.JunitRun CLASS</pre>
 */
public final class JunitRun {
    private JunitRun() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: JunitRun TEST_CLASS");
            System.exit(2);
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(args[0])).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printFailuresTo(out, 25);
        out.printf("tests found %d, succeeded %d, failed %d, skipped %d, aborted %d%n", summary.getTestsFoundCount(),
                summary.getTestsSucceededCount(), summary.getTotalFailureCount(), summary.getTestsSkippedCount(),
                summary.getTestsAbortedCount());
        boolean ok = summary.getTotalFailureCount() == 0 && summary.getTestsSucceededCount() == summary.getTestsFoundCount()
                && summary.getTestsFoundCount() > 0;
        System.exit(ok ? 0 : 1);
    }
}
