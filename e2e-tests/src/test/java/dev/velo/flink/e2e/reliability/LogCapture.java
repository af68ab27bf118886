package dev.velo.flink.e2e.reliability;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures every log event of this JVM (the test, the MiniCluster's tasks, Kafka clients) in memory
 * while open, with the given loggers lowered to the given level so that configuration dumps are
 * logged; restores levels and removes itself on close.
 */
final class LogCapture implements AutoCloseable {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;
    private final LoggerContext context;
    private final Map<String, Level> previous = new LinkedHashMap<>();

    LogCapture(Map<String, Level> levels) {
        context = (LoggerContext) LogManager.getContext(false);
        appender =
                new AbstractAppender("velo-capture", null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        StringBuilder sb =
                                new StringBuilder(event.getLoggerName())
                                        .append(' ')
                                        .append(event.getMessage().getFormattedMessage());
                        if (event.getThrown() != null) {
                            StringWriter sw = new StringWriter();
                            event.getThrown().printStackTrace(new PrintWriter(sw));
                            sb.append('\n').append(sw);
                        }
                        events.add(sb.toString());
                    }
                };
        appender.start();
        for (Map.Entry<String, Level> e : levels.entrySet()) {
            previous.put(e.getKey(), LogManager.getLogger(e.getKey()).getLevel());
            Configurator.setLevel(e.getKey(), e.getValue());
        }
        LoggerConfig root = context.getConfiguration().getRootLogger();
        root.addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    /** Every event so far: logger name, formatted message and the stack trace of its throwable. */
    List<String> events() {
        return new ArrayList<>(events);
    }

    @Override
    public void close() {
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        previous.forEach(Configurator::setLevel);
        context.updateLoggers();
        appender.stop();
    }
}
