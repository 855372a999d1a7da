package dev.ocikit.spec.image;

import dev.ocikit.spec.internal.Text;
import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An image configuration: what an image is built for, how to run it, its layers by uncompressed
 * digest and its history. The OCI config and Docker's container image config share this JSON;
 * Docker's extra fields ({@code container_config}, {@code docker_version} …) are kept in
 * {@link #unknownFields()} and written back unchanged. Immutable and thread-safe.
 *
 * <p><b>Timestamps are kept as written.</b> {@code created} (here and in {@link HistoryEntry}) is
 * the RFC 3339 string of the document, and {@link #createdInstant()} parses it on request. A
 * parsed {@link Instant} could not give the string back exactly (Go writes {@code +00:00} or
 * {@code Z}, trims trailing zeros of nanoseconds, keeps offsets), so editing a config would change
 * fields nobody touched, and one odd timestamp from an old tool would make a whole image
 * unreadable. Build with {@link Builder#created(Instant)} to write the canonical form.
 *
 * @param created when the image was created, RFC 3339, as written
 * @param author who made the image
 * @param architecture the CPU architecture, as {@link Platform#architecture()}; required
 * @param os the operating system, as {@link Platform#os()}; required
 * @param osVersion the operating system version
 * @param osFeatures required OS features
 * @param variant the CPU variant
 * @param config how to run a container from the image; empty when absent
 * @param rootfs the layers by uncompressed digest; required
 * @param history the steps that built the image, base first
 * @param unknownFields fields this version of the spec does not define, kept for round trips
 */
@JsonPropertyOrder({"created", "author", "architecture", "os", "os.version", "os.features", "variant", "config",
        "rootfs", "history"})
public record ImageConfig(
        Optional<String> created,
        Optional<String> author,
        String architecture,
        String os,
        @JsonProperty("os.version") Optional<String> osVersion,
        @JsonProperty("os.features") List<String> osFeatures,
        Optional<String> variant,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = ContainerConfig.OmitWhenEmpty.class)
        ContainerConfig config,
        RootFs rootfs,
        List<HistoryEntry> history,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder()
            .parseCaseInsensitive().append(DateTimeFormatter.ISO_OFFSET_DATE_TIME).toFormatter();

    public ImageConfig {
        created = created == null ? Optional.empty() : created;
        author = author == null ? Optional.empty() : author;
        Fields.required(architecture, "architecture");
        Fields.required(os, "os");
        if (architecture.isEmpty()) {
            throw new InvalidFieldException("architecture", "must not be empty");
        }
        if (os.isEmpty()) {
            throw new InvalidFieldException("os", "must not be empty");
        }
        osVersion = osVersion == null ? Optional.empty() : osVersion;
        osFeatures = Fields.list(osFeatures, "os.features");
        variant = variant == null ? Optional.empty() : variant;
        config = config == null ? ContainerConfig.EMPTY : config;
        Fields.required(rootfs, "rootfs");
        history = Fields.list(history, "history");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /**
     * Reads an image config (OCI or Docker).
     *
     * @throws MalformedDocumentException naming the field that is missing or invalid
     */
    public static ImageConfig parse(byte[] json) {
        return Json.parse(json, ImageConfig.class, "image config");
    }

    /** A builder with nothing set; architecture, OS and root filesystem must be given. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values, unknown fields included. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Compact JSON of this config. */
    public byte[] toJson() {
        return Json.write(this);
    }

    /**
     * {@link #created()} as an instant.
     *
     * @throws MalformedDocumentException if it is not an RFC 3339 date-time
     */
    public Optional<Instant> createdInstant() {
        return created.map(c -> parseTime(c, "image config"));
    }

    /** The platform the image is for, from the architecture, OS and variant fields. */
    public Platform platform() {
        return new Platform(architecture, os, osVersion, osFeatures, variant, List.of(), Map.of());
    }

    /** The uncompressed digests of the layers, base first; shorthand for {@code rootfs().diffIds()}. */
    public List<Digest> diffIds() {
        return rootfs.diffIds();
    }

    /** This config with another container config. */
    public ImageConfig withConfig(ContainerConfig newConfig) {
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, newConfig, rootfs,
                history, unknownFields);
    }

    static Instant parseTime(String value, String document) {
        try {
            return OffsetDateTime.parse(value, RFC3339).toInstant();
        } catch (DateTimeParseException e) {
            throw new MalformedDocumentException(document, "/created", "'" + Text.printable(value)
                    + "' is not an RFC 3339 date-time");
        }
    }

    /** RFC 3339 in UTC, with as many fraction digits as needed: what Go writes for a UTC time. */
    static String format(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(Objects.requireNonNull(instant, "instant"));
    }

    /**
     * Builds an {@link ImageConfig}; the image builder's starting point. Not thread-safe;
     * {@link #build()} checks the values and can be called more than once.
     */
    public static final class Builder {
        private String created;
        private String author;
        private String architecture;
        private String os;
        private String osVersion;
        private List<String> osFeatures = List.of();
        private String variant;
        private ContainerConfig config = ContainerConfig.EMPTY;
        private final List<Digest> diffIds = new ArrayList<>();
        private final List<HistoryEntry> history = new ArrayList<>();
        private final Map<String, JsonNode> rootfsUnknownFields = new LinkedHashMap<>();
        private final Map<String, JsonNode> unknownFields = new LinkedHashMap<>();

        private Builder() {}

        private Builder(ImageConfig c) {
            created = c.created.orElse(null);
            author = c.author.orElse(null);
            architecture = c.architecture;
            os = c.os;
            osVersion = c.osVersion.orElse(null);
            osFeatures = c.osFeatures;
            variant = c.variant.orElse(null);
            config = c.config;
            diffIds.addAll(c.rootfs.diffIds());
            rootfsUnknownFields.putAll(c.rootfs.unknownFields());
            history.addAll(c.history);
            unknownFields.putAll(c.unknownFields);
        }

        /** The creation time, written as RFC 3339 in UTC. */
        public Builder created(Instant value) {
            this.created = format(value);
            return this;
        }

        /**
         * The creation time as an RFC 3339 string, kept as given; null removes it.
         *
         * @throws dev.ocikit.spec.InvalidFieldException if it is not RFC 3339
         */
        public Builder created(String value) {
            if (value != null) {
                try {
                    parseTime(value, "image config");
                } catch (MalformedDocumentException e) {
                    throw new InvalidFieldException("created", "'" + Text.printable(value) + "' is not an RFC 3339 date-time");
                }
            }
            this.created = value;
            return this;
        }

        /** The author; null removes it. */
        public Builder author(String value) {
            this.author = value;
            return this;
        }

        /** Architecture, OS, OS version, OS features and variant from a platform. */
        public Builder platform(Platform value) {
            architecture = value.architecture();
            os = value.os();
            osVersion = value.osVersion().orElse(null);
            osFeatures = value.osFeatures();
            variant = value.variant().orElse(null);
            return this;
        }

        /** The architecture; required. */
        public Builder architecture(String value) {
            this.architecture = value;
            return this;
        }

        /** The operating system; required. */
        public Builder os(String value) {
            this.os = value;
            return this;
        }

        /** The OS version; null removes it. */
        public Builder osVersion(String value) {
            this.osVersion = value;
            return this;
        }

        /** The required OS features. */
        public Builder osFeatures(List<String> values) {
            this.osFeatures = List.copyOf(values);
            return this;
        }

        /** The CPU variant; null removes it. */
        public Builder variant(String value) {
            this.variant = value;
            return this;
        }

        /** How to run a container from the image. */
        public Builder config(ContainerConfig value) {
            this.config = Objects.requireNonNull(value, "config");
            return this;
        }

        /** Replaces the layers' uncompressed digests. */
        public Builder diffIds(List<Digest> values) {
            diffIds.clear();
            values.forEach(d -> diffIds.add(Objects.requireNonNull(d, "diffId")));
            return this;
        }

        /** Replaces the history. */
        public Builder history(List<HistoryEntry> values) {
            history.clear();
            values.forEach(this::addHistory);
            return this;
        }

        /** Appends a history entry without a layer change (set its {@code empty_layer} as needed). */
        public Builder addHistory(HistoryEntry entry) {
            history.add(Objects.requireNonNull(entry, "history entry"));
            return this;
        }

        /**
         * Appends a layer on top: its uncompressed digest to {@code rootfs.diff_ids} and the step
         * that made it to the history.
         */
        public Builder addLayer(Digest diffId, HistoryEntry entry) {
            diffIds.add(Objects.requireNonNull(diffId, "diffId"));
            history.add(Objects.requireNonNull(entry, "history entry").withEmptyLayer(false));
            return this;
        }

        /** Appends a step that changed no files ({@code empty_layer: true}), such as setting the entrypoint. */
        public Builder addEmptyLayer(HistoryEntry entry) {
            history.add(Objects.requireNonNull(entry, "history entry").withEmptyLayer(true));
            return this;
        }

        /** Replaces the fields ocikit does not model (kept from {@link ImageConfig#toBuilder()}). */
        public Builder unknownFields(Map<String, JsonNode> values) {
            unknownFields.clear();
            unknownFields.putAll(values);
            return this;
        }

        /**
         * The config.
         *
         * @throws dev.ocikit.spec.InvalidFieldException naming a missing or invalid field
         */
        public ImageConfig build() {
            return new ImageConfig(Optional.ofNullable(created), Optional.ofNullable(author), architecture, os,
                    Optional.ofNullable(osVersion), osFeatures, Optional.ofNullable(variant), config,
                    new RootFs(RootFs.LAYERS, diffIds, rootfsUnknownFields), history, unknownFields);
        }
    }
}
