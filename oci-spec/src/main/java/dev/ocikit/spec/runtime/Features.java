package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.internal.Fields;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Features structure a runtime prints ({@code runc features}, {@code crun features}): what it
 * was built to recognise, whatever the host supports. Immutable and thread-safe.
 *
 * <p>The spec gives absent (or {@code null}) a meaning of its own here, "unknown", distinct from
 * an empty value: {@code "hooks": []} says no hook is supported. So every list and map of this
 * document is an {@code Optional<List>} or {@code Optional<Map>} that keeps {@code []} and
 * {@code {}} apart from absent, on reading and on writing; booleans are {@code Optional<Boolean>}.
 *
 * <p>The document is not refused for its versions: {@code ociVersionMin} and {@code ociVersionMax}
 * describe the runtime, which may well be newer than these models. Only their form (SemVer) is
 * checked. Use {@link #accepts} to ask whether a config version is within the runtime's range.
 *
 * @param ociVersionMin the oldest config {@code ociVersion} the runtime accepts
 * @param ociVersionMax the newest config {@code ociVersion} the runtime accepts
 * @param hooks the recognised hook names ({@code createRuntime} …)
 * @param mountOptions the recognised mount options ({@code ro}, {@code rbind} …)
 * @param linux the Linux features
 * @param annotations the runtime's own metadata (version, commit …); not possible config annotations
 * @param potentiallyUnsafeConfigAnnotations config annotations that may change the runtime's
 *     behaviour; an entry ending in {@code .} is a prefix (1.2+)
 */
@JsonPropertyOrder({"ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux", "annotations",
    "potentiallyUnsafeConfigAnnotations"})
public record Features(
        @JsonInclude(JsonInclude.Include.ALWAYS) String ociVersionMin,
        @JsonInclude(JsonInclude.Include.ALWAYS) String ociVersionMax,
        @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> hooks,
        @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> mountOptions,
        Optional<Linux> linux,
        @JsonInclude(value = JsonInclude.Include.NON_ABSENT, content = JsonInclude.Include.ALWAYS)
        Optional<Map<String, String>> annotations,
        @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> potentiallyUnsafeConfigAnnotations,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public Features {
        OciVersion.parse(Fields.required(ociVersionMin, "ociVersionMin"), "ociVersionMin");
        OciVersion.parse(Fields.required(ociVersionMax, "ociVersionMax"), "ociVersionMax");
        hooks = Check.optList(hooks, "hooks");
        mountOptions = Check.optList(mountOptions, "mountOptions");
        linux = Check.opt(linux);
        annotations = Check.annotations(annotations, "annotations");
        potentiallyUnsafeConfigAnnotations =
                Check.optList(potentiallyUnsafeConfigAnnotations, "potentiallyUnsafeConfigAnnotations");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /**
     * Reads a Features document.
     *
     * @throws MalformedDocumentException if it is not JSON, not a Features document, or lacks
     *     {@code ociVersionMin} or {@code ociVersionMax}
     */
    public static Features parse(byte[] json) {
        return Json.parse(json, Features.class, "runtime features");
    }

    /**
     * Whether {@code ociVersion} (of a config) lies within {@code [ociVersionMin, ociVersionMax]}
     * by SemVer precedence, pre-releases included ({@code 1.0.2-dev} sorts before {@code 1.0.2}).
     *
     * @throws IllegalArgumentException if {@code ociVersion} is not SemVer
     */
    public boolean accepts(String ociVersion) {
        OciVersion v = OciVersion.parse(ociVersion, "ociVersion");
        return v.compareTo(OciVersion.parse(ociVersionMin, "ociVersionMin")) >= 0
                && v.compareTo(OciVersion.parse(ociVersionMax, "ociVersionMax")) <= 0;
    }

    /**
     * {@code linux} of a Features document. Immutable and thread-safe.
     *
     * @param namespaces the recognised namespace types
     * @param capabilities the recognised capability names
     */
    @JsonPropertyOrder({"namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt",
        "memoryPolicy", "mountExtensions", "netDevices"})
    public record Linux(
            @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> namespaces,
            @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> capabilities,
            Optional<Cgroup> cgroup,
            Optional<Seccomp> seccomp,
            Optional<Support> apparmor,
            Optional<Support> selinux,
            Optional<IntelRdt> intelRdt,
            Optional<MemoryPolicy> memoryPolicy,
            Optional<MountExtensions> mountExtensions,
            Optional<Support> netDevices,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public Linux {
            namespaces = Check.optList(namespaces, "namespaces");
            capabilities = Check.optList(capabilities, "capabilities");
            cgroup = Check.opt(cgroup);
            seccomp = Check.opt(seccomp);
            apparmor = Check.opt(apparmor);
            selinux = Check.opt(selinux);
            intelRdt = Check.opt(intelRdt);
            memoryPolicy = Check.opt(memoryPolicy);
            mountExtensions = Check.opt(mountExtensions);
            netDevices = Check.opt(netDevices);
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }
    }

    /**
     * {@code linux.cgroup}: which cgroup managers the runtime was built with, whatever the host
     * runs. Immutable and thread-safe.
     */
    @JsonPropertyOrder({"v1", "v2", "systemd", "systemdUser", "rdma"})
    public record Cgroup(
            Optional<Boolean> v1,
            Optional<Boolean> v2,
            Optional<Boolean> systemd,
            Optional<Boolean> systemdUser,
            Optional<Boolean> rdma,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public Cgroup {
            v1 = Check.opt(v1);
            v2 = Check.opt(v2);
            systemd = Check.opt(systemd);
            systemdUser = Check.opt(systemdUser);
            rdma = Check.opt(rdma);
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }
    }

    /**
     * {@code linux.seccomp}: the libseccomp names the runtime recognises. Immutable and
     * thread-safe.
     *
     * @param supportedFlags the subset of {@code knownFlags} this kernel and libseccomp support
     */
    @JsonPropertyOrder({"enabled", "actions", "operators", "archs", "knownFlags", "supportedFlags"})
    public record Seccomp(
            Optional<Boolean> enabled,
            @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> actions,
            @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> operators,
            @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> archs,
            @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> knownFlags,
            @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> supportedFlags,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public Seccomp {
            enabled = Check.opt(enabled);
            actions = Check.optList(actions, "actions");
            operators = Check.optList(operators, "operators");
            archs = Check.optList(archs, "archs");
            knownFlags = Check.optList(knownFlags, "knownFlags");
            supportedFlags = Check.optList(supportedFlags, "supportedFlags");
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }
    }

    /**
     * An {@code {"enabled": …}} object ({@code apparmor}, {@code selinux}, {@code netDevices},
     * {@code mountExtensions.idmap}): whether the runtime was built with that support. Immutable
     * and thread-safe.
     */
    @JsonPropertyOrder({"enabled"})
    public record Support(
            Optional<Boolean> enabled,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public Support {
            enabled = Check.opt(enabled);
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }
    }

    /**
     * {@code linux.intelRdt}. Immutable and thread-safe.
     *
     * @param schemata whether config's {@code intelRdt.schemata} is supported (1.3+)
     * @param monitoring whether config's {@code intelRdt.enableMonitoring} is supported (1.3+)
     */
    @JsonPropertyOrder({"enabled", "schemata", "monitoring"})
    public record IntelRdt(
            Optional<Boolean> enabled,
            Optional<Boolean> schemata,
            Optional<Boolean> monitoring,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public IntelRdt {
            enabled = Check.opt(enabled);
            schemata = Check.opt(schemata);
            monitoring = Check.opt(monitoring);
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }
    }

    /** {@code linux.memoryPolicy} (1.3+): recognised modes and flags. Immutable and thread-safe. */
    @JsonPropertyOrder({"modes", "flags"})
    public record MemoryPolicy(
            @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> modes,
            @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<String>> flags,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public MemoryPolicy {
            modes = Check.optList(modes, "modes");
            flags = Check.optList(flags, "flags");
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }
    }

    /**
     * {@code linux.mountExtensions} (1.2+). Immutable and thread-safe.
     *
     * @param idmap whether id-mapped mounts ({@code mounts[].uidMappings}) are recognised
     */
    @JsonPropertyOrder({"idmap"})
    public record MountExtensions(
            Optional<Support> idmap,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public MountExtensions {
            idmap = Check.opt(idmap);
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }
    }
}
