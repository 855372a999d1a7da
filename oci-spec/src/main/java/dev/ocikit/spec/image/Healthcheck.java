package dev.ocikit.spec.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How to check that a container is healthy, as Docker (and Podman's Docker-format images) record
 * it in an image config; the OCI spec does not define it. Durations are nanoseconds, as Docker
 * writes them; zero or absent means "the runtime's default". Immutable and thread-safe.
 *
 * @param test the check: {@code ["NONE"]} disables an inherited one, {@code ["CMD", args…]} runs
 *     a program, {@code ["CMD-SHELL", command]} runs a shell command
 * @param interval time between checks
 * @param timeout time after which one check counts as failed
 * @param startPeriod time to let the container start, during which failures do not count
 * @param startInterval time between checks during the start period
 * @param retries consecutive failures that make the container unhealthy
 * @param unknownFields fields ocikit does not model, kept for round trips
 */
@JsonPropertyOrder({"Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"})
public record Healthcheck(
        @JsonProperty("Test") List<String> test,
        @JsonProperty("Interval") Optional<Long> interval,
        @JsonProperty("Timeout") Optional<Long> timeout,
        @JsonProperty("StartPeriod") Optional<Long> startPeriod,
        @JsonProperty("StartInterval") Optional<Long> startInterval,
        @JsonProperty("Retries") Optional<Integer> retries,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public Healthcheck {
        test = Fields.list(test, "Test");
        interval = nonNegative(interval, "Interval");
        timeout = nonNegative(timeout, "Timeout");
        startPeriod = nonNegative(startPeriod, "StartPeriod");
        startInterval = nonNegative(startInterval, "StartInterval");
        retries = retries == null ? Optional.empty() : retries;
        if (retries.isPresent() && retries.get() < 0) {
            throw new InvalidFieldException("Retries", "must not be negative, got " + retries.get());
        }
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A check running {@code test} with the runtime's default timings. */
    public static Healthcheck of(List<String> test) {
        return new Healthcheck(test, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Map.of());
    }

    /** A check that disables the one inherited from the base image. */
    public static Healthcheck none() {
        return of(List.of("NONE"));
    }

    /** This check with another interval. */
    public Healthcheck withInterval(Duration value) {
        return new Healthcheck(test, nanos(value), timeout, startPeriod, startInterval, retries, unknownFields);
    }

    /** This check with another timeout. */
    public Healthcheck withTimeout(Duration value) {
        return new Healthcheck(test, interval, nanos(value), startPeriod, startInterval, retries, unknownFields);
    }

    /** This check with another start period. */
    public Healthcheck withStartPeriod(Duration value) {
        return new Healthcheck(test, interval, timeout, nanos(value), startInterval, retries, unknownFields);
    }

    /** This check with another interval during the start period. */
    public Healthcheck withStartInterval(Duration value) {
        return new Healthcheck(test, interval, timeout, startPeriod, nanos(value), retries, unknownFields);
    }

    /** This check with another number of retries. */
    public Healthcheck withRetries(int value) {
        return new Healthcheck(test, interval, timeout, startPeriod, startInterval, Optional.of(value), unknownFields);
    }

    /** {@link #interval()} as a duration. */
    public Optional<Duration> intervalDuration() {
        return interval.map(Duration::ofNanos);
    }

    /** {@link #timeout()} as a duration. */
    public Optional<Duration> timeoutDuration() {
        return timeout.map(Duration::ofNanos);
    }

    /** {@link #startPeriod()} as a duration. */
    public Optional<Duration> startPeriodDuration() {
        return startPeriod.map(Duration::ofNanos);
    }

    /** {@link #startInterval()} as a duration. */
    public Optional<Duration> startIntervalDuration() {
        return startInterval.map(Duration::ofNanos);
    }

    private static Optional<Long> nanos(Duration d) {
        return d == null ? Optional.empty() : Optional.of(d.toNanos());
    }

    private static Optional<Long> nonNegative(Optional<Long> value, String field) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.isPresent() && value.get() < 0) {
            throw new InvalidFieldException(field, "must not be negative, got " + value.get());
        }
        return value;
    }
}
