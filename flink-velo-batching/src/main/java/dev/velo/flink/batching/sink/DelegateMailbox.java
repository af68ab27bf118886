package dev.velo.flink.batching.sink;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * The mailbox executor a velo sink hands to the writer it wraps. An asynchronous writer may report
 * a failed send through a mail of its own as well as on its next call: Kafka's writer queues a mail
 * that rethrows the first unreported error, so that the task fails even when the writer is not
 * called again. While the velo writer confirms writes per record (a failure strategy that acts on
 * single records), it keeps the delegate's writes unconfirmed across several batches, and such a
 * mail would run between two records and fail the task before the failure strategy could blame the
 * error on its record. While {@link #deferErrors} is set, an error thrown by one of the delegate's
 * mails is therefore kept, and {@link #takeDeferred} hands it to the velo writer, which treats it
 * as reported by the delegate's next call (which is what the writer would have done without the
 * mail). Otherwise mails run, and fail, as without flink-velo.
 */
@Internal
final class DelegateMailbox implements MailboxExecutor {

    private final MailboxExecutor mailbox;
    private boolean deferErrors;
    @Nullable private Exception deferred;

    DelegateMailbox(MailboxExecutor mailbox) {
        this.mailbox = mailbox;
    }

    /**
     * The context to create the delegate's writer with, and the mailbox it hands that writer (null
     * when the velo writer's context has no mailbox executor, as in some test harnesses). The velo
     * writer is given the mailbox with the delegate's writer.
     */
    record Handoff(WriterInitContext context, @Nullable DelegateMailbox mailbox) {}

    /**
     * {@code context} with a {@link DelegateMailbox} in place of its mailbox executor (unchanged
     * when it has none), for the delegate's writer.
     */
    static Handoff handoff(WriterInitContext context) {
        MailboxExecutor real = context.getMailboxExecutor();
        if (real == null) {
            return new Handoff(context, null);
        }
        DelegateMailbox mailbox = new DelegateMailbox(real);
        WriterInitContext forDelegate =
                (WriterInitContext)
                        Proxy.newProxyInstance(
                                WriterInitContext.class.getClassLoader(),
                                new Class<?>[] {WriterInitContext.class},
                                (proxy, method, args) -> {
                                    if (method.getName().equals("getMailboxExecutor")
                                            && method.getParameterCount() == 0) {
                                        return mailbox;
                                    }
                                    try {
                                        return method.invoke(context, args);
                                    } catch (InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                });
        return new Handoff(forDelegate, mailbox);
    }

    /** Whether errors of the delegate's mails are kept for the velo writer (see class comment). */
    void deferErrors(boolean defer) {
        this.deferErrors = defer;
    }

    /** The first error a mail of the delegate threw since the last call, or null. */
    @Nullable
    Exception takeDeferred() {
        Exception e = deferred;
        deferred = null;
        return e;
    }

    @Override
    public void execute(
            MailOptions options,
            ThrowingRunnable<? extends Exception> command,
            String descriptionFormat,
            Object... descriptionArgs) {
        mailbox.execute(options, () -> run(command), descriptionFormat, descriptionArgs);
    }

    private void run(ThrowingRunnable<? extends Exception> command) throws Exception {
        try {
            command.run();
        } catch (Exception e) {
            if (!deferErrors || e instanceof InterruptedException) {
                throw e;
            }
            if (deferred == null) {
                deferred = e;
            }
        }
    }

    @Override
    public void yield() throws InterruptedException {
        mailbox.yield();
    }

    @Override
    public boolean tryYield() {
        return mailbox.tryYield();
    }

    @Override
    public boolean shouldInterrupt() {
        return mailbox.shouldInterrupt();
    }
}
