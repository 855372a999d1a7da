package dev.ocikit.spec.runtime;

import dev.ocikit.spec.InvalidFieldException;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.internal.Fields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A runtime config, the {@code config.json} of an OCI bundle (runtime-spec 1.0 to 1.3).
 * Immutable and thread-safe; read one with {@link #parse}, build one with {@link #builder()},
 * change one with {@link #toBuilder()}, write one with {@link Json#write}.
 *
 * <p>Every field of the spec's common and Linux sections is modelled. The sections of other
 * platforms ({@code solaris}, {@code windows}, {@code vm}, {@code zos}, {@code freebsd}) are not
 * typed, since ocikit runs containers with Linux runtimes only; like any field this model does
 * not know, they are kept in {@link #unknownFields()} and written back unchanged.
 *
 * @param ociVersion the runtime-spec version the config follows; 1.0.x to 1.3.x are accepted
 * @param process the container process; REQUIRED by the runtime's {@code start}
 * @param root the root filesystem; REQUIRED on Linux
 * @param hostname the container's hostname (in its UTS namespace)
 * @param domainname the container's NIS domain name (1.1+)
 * @param mounts extra mounts, mounted in order on top of the root
 * @param hooks lifecycle hooks
 * @param annotations arbitrary metadata, reverse-domain keys; values may be empty
 * @param linux the Linux section
 */
@JsonPropertyOrder({"ociVersion", "process", "root", "hostname", "domainname", "mounts", "hooks", "annotations",
    "linux"})
public record Spec(
        @JsonInclude(JsonInclude.Include.ALWAYS) String ociVersion,
        Optional<Process> process,
        Optional<Root> root,
        Optional<String> hostname,
        Optional<String> domainname,
        List<Mount> mounts,
        Optional<Hooks> hooks,
        @JsonInclude(value = JsonInclude.Include.NON_EMPTY, content = JsonInclude.Include.ALWAYS)
        Map<String, String> annotations,
        Optional<Linux> linux,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /** The runtime-spec version these models implement, and {@link #builder()}'s default. */
    public static final String VERSION = OciVersion.CURRENT;

    /** The range of {@code ociVersion} values {@link #parse} accepts, in words. */
    public static final String SUPPORTED_VERSIONS = OciVersion.SUPPORTED;

    public Spec {
        OciVersion.checkSupported(Fields.required(ociVersion, "ociVersion"), "ociVersion");
        process = Check.opt(process);
        root = Check.opt(root);
        hostname = Check.opt(hostname);
        domainname = Check.opt(domainname);
        mounts = Fields.list(mounts, "mounts");
        hooks = Check.opt(hooks);
        annotations = Check.annotations(annotations, "annotations");
        linux = Check.opt(linux);
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /**
     * Reads a {@code config.json}.
     *
     * @throws MalformedDocumentException if it is not JSON, not a runtime config, uses an
     *     ociVersion outside 1.0.x to 1.3.x, or has a missing or invalid field (named in the message)
     */
    public static Spec parse(byte[] json) {
        return Json.parse(json, Spec.class, "runtime config");
    }

    /** A builder for a config of {@link #VERSION} with nothing else set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every field of this config, unknown fields and other-OS sections included. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.ociVersion = ociVersion;
        b.process = process;
        b.root = root;
        b.hostname = hostname;
        b.domainname = domainname;
        b.mounts.addAll(mounts);
        b.hooks = hooks;
        b.annotations.putAll(annotations);
        b.linux = linux;
        b.unknownFields.putAll(unknownFields);
        return b;
    }

    /** The mount at {@code destination}, if any (the last one wins, as it is mounted last). */
    public Optional<Mount> mount(String destination) {
        for (int i = mounts.size() - 1; i >= 0; i--) {
            if (mounts.get(i).destination().equals(destination)) {
                return Optional.of(mounts.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * Collects the fields of a {@link Spec}. Setters replace, {@code add…} methods append, and
     * {@code null} clears a field. Not thread-safe; {@link #build()} copies, so a builder can be
     * reused as a template.
     */
    public static final class Builder {
        private String ociVersion = VERSION;
        private Optional<Process> process = Optional.empty();
        private Optional<Root> root = Optional.empty();
        private Optional<String> hostname = Optional.empty();
        private Optional<String> domainname = Optional.empty();
        private final List<Mount> mounts = new ArrayList<>();
        private Optional<Hooks> hooks = Optional.empty();
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private Optional<Linux> linux = Optional.empty();
        private final Map<String, JsonNode> unknownFields = new LinkedHashMap<>();

        private Builder() {}

        public Builder ociVersion(String value) {
            ociVersion = value;
            return this;
        }

        public Builder process(Process value) {
            process = Optional.ofNullable(value);
            return this;
        }

        public Builder root(Root value) {
            root = Optional.ofNullable(value);
            return this;
        }

        /** A writable root filesystem at {@code path} ({@code rootfs}, relative to the bundle). */
        public Builder root(String path) {
            return root(path == null ? null : Root.of(path));
        }

        public Builder hostname(String value) {
            hostname = Optional.ofNullable(value);
            return this;
        }

        public Builder domainname(String value) {
            domainname = Optional.ofNullable(value);
            return this;
        }

        public Builder mounts(Collection<Mount> value) {
            mounts.clear();
            if (value != null) {
                mounts.addAll(value);
            }
            return this;
        }

        /** Appends a mount; mounts are applied in order. */
        public Builder addMount(Mount mount) {
            mounts.add(mount);
            return this;
        }

        /** Removes every mount at {@code destination}. */
        public Builder removeMount(String destination) {
            mounts.removeIf(m -> m.destination().equals(destination));
            return this;
        }

        public Builder hooks(Hooks value) {
            hooks = Optional.ofNullable(value);
            return this;
        }

        public Builder annotations(Map<String, String> value) {
            annotations.clear();
            if (value != null) {
                annotations.putAll(value);
            }
            return this;
        }

        /** Sets (or with a {@code null} value, removes) one annotation. */
        public Builder annotation(String key, String value) {
            if (value == null) {
                annotations.remove(key);
            } else {
                annotations.put(key, value);
            }
            return this;
        }

        public Builder linux(Linux value) {
            linux = Optional.ofNullable(value);
            return this;
        }

        /** Sets (or with {@code null}, removes) a field this model does not know, such as {@code windows}. */
        public Builder unknownField(String name, JsonNode value) {
            if (value == null) {
                unknownFields.remove(name);
            } else {
                unknownFields.put(name, value);
            }
            return this;
        }

        /**
         * The config.
         *
         * @throws dev.ocikit.spec.InvalidFieldException naming a missing or invalid field
         */
        public Spec build() {
            return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux,
                    unknownFields);
        }
    }
}
