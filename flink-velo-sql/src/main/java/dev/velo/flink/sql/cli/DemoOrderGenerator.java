package dev.velo.flink.sql.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.flink.annotation.Internal;

/**
 * Deterministic JSON orders for the demo: the same seed gives the same records; about one record in
 * a hundred is malformed (cut short, not JSON, or a string where a number belongs) so the demo's
 * dead letter queue has work to do.
 */
@Internal
public final class DemoOrderGenerator {

    /** The default seed of {@code velo demo}. */
    public static final long DEFAULT_SEED = 20_251_125L;

    private static final String[] REGIONS = {"EU", "US", "APAC", "LATAM"};
    private static final long START_MILLIS = 1_764_000_000_000L;

    private final Random random;
    private final int malformedPerMille;
    private long next;
    private long malformed;

    /** One malformed record in a hundred. */
    public DemoOrderGenerator(long seed) {
        this(seed, 10);
    }

    /**
     * @param malformedPerMille malformed records per thousand, 0..1000
     */
    public DemoOrderGenerator(long seed, int malformedPerMille) {
        if (malformedPerMille < 0 || malformedPerMille > 1000) {
            throw new IllegalArgumentException(
                    "malformedPerMille must be in 0..1000, got " + malformedPerMille);
        }
        this.random = new Random(seed);
        this.malformedPerMille = malformedPerMille;
    }

    /** The next record's value bytes as text. */
    public String next() {
        long id = ++next;
        String customer = "customer-" + (1 + random.nextInt(500));
        String region = REGIONS[random.nextInt(REGIONS.length)];
        double amount = Math.round((1 + random.nextDouble() * 1999) * 100) / 100.0;
        long ts = START_MILLIS + id * 10;
        boolean broken = random.nextInt(1000) < malformedPerMille;
        String json =
                String.format(
                        Locale.ROOT,
                        "{\"order_id\":%d,\"customer\":\"%s\",\"region\":\"%s\",\"amount\":%.2f,\"ts\":%d}",
                        id,
                        customer,
                        region,
                        amount,
                        ts);
        if (!broken) {
            return json;
        }
        malformed++;
        switch (random.nextInt(3)) {
            case 0:
                return json.substring(0, json.length() / 2);
            case 1:
                return "order " + id + " for " + customer;
            default:
                return json.replace(String.format(Locale.ROOT, "%.2f", amount), "\"lots\"");
        }
    }

    /** The next {@code count} records. */
    public List<String> next(int count) {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(next());
        }
        return out;
    }

    /** Records produced so far. */
    public long produced() {
        return next;
    }

    /** Malformed records among them. */
    public long malformed() {
        return malformed;
    }
}
