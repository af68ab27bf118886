package org.apache.flink.python.util;

import org.apache.commons.cli.CommandLine;
import org.apache.flink.configuration.Configuration;

/**
 * Stand-in for flink-python's class of the same name, which the SQL client loads at start-up to
 * read Python options (the real one lives in the 42 MB flink-python jar). E2E tests use no Python,
 * so it contributes no configuration.
 */
public final class PythonDependencyUtils {

    private PythonDependencyUtils() {}

    /** Called reflectively by the SQL client's option parser. */
    public static Configuration parsePythonDependencyConfiguration(CommandLine commandLine) {
        return new Configuration();
    }
}
