package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code linux}: the Linux-specific part of a runtime config. Immutable and thread-safe; build
 * one with {@link #builder()}.
 *
 * @param uidMappings user namespace uid mappings
 * @param gidMappings user namespace gid mappings
 * @param sysctl kernel parameters set for the container ({@code net.ipv4.ip_forward} → {@code 1})
 * @param resources cgroup limits
 * @param cgroupsPath the container's cgroup, absolute (from the cgroup mount) or relative (the
 *     runtime's choice); systemd-driven runtimes use {@code slice:prefix:name}
 * @param namespaces the namespaces to create or join
 * @param devices device nodes to provide
 * @param netDevices host network interfaces to move in, by host name (1.3+)
 * @param seccomp the system call filter
 * @param rootfsPropagation {@code shared}, {@code slave}, {@code private} or {@code unbindable}
 * @param maskedPaths paths made unreadable in the container
 * @param readonlyPaths paths made read-only in the container
 * @param mountLabel SELinux context of the container's mounts
 * @param intelRdt Intel RDT (resctrl) settings
 * @param memoryPolicy the NUMA memory policy (1.3+)
 * @param personality the execution domain
 * @param timeOffsets time namespace clock offsets by clock name (1.1+)
 */
@JsonPropertyOrder({"uidMappings", "gidMappings", "sysctl", "resources", "cgroupsPath", "namespaces", "devices",
    "netDevices", "seccomp", "rootfsPropagation", "maskedPaths", "readonlyPaths", "mountLabel", "intelRdt",
    "memoryPolicy", "personality", "timeOffsets"})
public record Linux(
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings,
        @JsonInclude(value = JsonInclude.Include.NON_EMPTY, content = JsonInclude.Include.ALWAYS)
        Map<String, String> sysctl,
        Optional<Resources> resources,
        Optional<String> cgroupsPath,
        List<Namespace> namespaces,
        List<Device> devices,
        @JsonInclude(value = JsonInclude.Include.NON_EMPTY, content = JsonInclude.Include.ALWAYS)
        Map<String, NetDevice> netDevices,
        Optional<Seccomp> seccomp,
        Optional<String> rootfsPropagation,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        Optional<String> mountLabel,
        Optional<IntelRdt> intelRdt,
        Optional<MemoryPolicy> memoryPolicy,
        Optional<Personality> personality,
        @JsonInclude(value = JsonInclude.Include.NON_EMPTY, content = JsonInclude.Include.ALWAYS)
        Map<String, TimeOffset> timeOffsets,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public Linux {
        uidMappings = Fields.list(uidMappings, "uidMappings");
        gidMappings = Fields.list(gidMappings, "gidMappings");
        sysctl = Fields.map(sysctl, "sysctl");
        resources = Check.opt(resources);
        cgroupsPath = Check.opt(cgroupsPath);
        namespaces = Fields.list(namespaces, "namespaces");
        devices = Fields.list(devices, "devices");
        netDevices = Fields.map(netDevices, "netDevices");
        seccomp = Check.opt(seccomp);
        rootfsPropagation = Check.opt(rootfsPropagation);
        maskedPaths = Fields.list(maskedPaths, "maskedPaths");
        readonlyPaths = Fields.list(readonlyPaths, "readonlyPaths");
        mountLabel = Check.opt(mountLabel);
        intelRdt = Check.opt(intelRdt);
        memoryPolicy = Check.opt(memoryPolicy);
        personality = Check.opt(personality);
        timeOffsets = Fields.map(timeOffsets, "timeOffsets");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every field of this section, unknown fields included. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.uidMappings.addAll(uidMappings);
        b.gidMappings.addAll(gidMappings);
        b.sysctl.putAll(sysctl);
        b.resources = resources;
        b.cgroupsPath = cgroupsPath;
        b.namespaces.addAll(namespaces);
        b.devices.addAll(devices);
        b.netDevices.putAll(netDevices);
        b.seccomp = seccomp;
        b.rootfsPropagation = rootfsPropagation;
        b.maskedPaths.addAll(maskedPaths);
        b.readonlyPaths.addAll(readonlyPaths);
        b.mountLabel = mountLabel;
        b.intelRdt = intelRdt;
        b.memoryPolicy = memoryPolicy;
        b.personality = personality;
        b.timeOffsets.putAll(timeOffsets);
        b.unknownFields.putAll(unknownFields);
        return b;
    }

    /** The namespace entry of {@code type}, if the container gets one. */
    public Optional<Namespace> namespace(String type) {
        return namespaces.stream().filter(n -> n.type().equals(type)).findFirst();
    }

    /**
     * Collects the fields of {@link Linux}. Setters replace, {@code add…} methods append, and
     * {@code null} clears. Not thread-safe; {@link #build()} copies.
     */
    public static final class Builder {
        private final List<IdMapping> uidMappings = new ArrayList<>();
        private final List<IdMapping> gidMappings = new ArrayList<>();
        private final Map<String, String> sysctl = new LinkedHashMap<>();
        private Optional<Resources> resources = Optional.empty();
        private Optional<String> cgroupsPath = Optional.empty();
        private final List<Namespace> namespaces = new ArrayList<>();
        private final List<Device> devices = new ArrayList<>();
        private final Map<String, NetDevice> netDevices = new LinkedHashMap<>();
        private Optional<Seccomp> seccomp = Optional.empty();
        private Optional<String> rootfsPropagation = Optional.empty();
        private final List<String> maskedPaths = new ArrayList<>();
        private final List<String> readonlyPaths = new ArrayList<>();
        private Optional<String> mountLabel = Optional.empty();
        private Optional<IntelRdt> intelRdt = Optional.empty();
        private Optional<MemoryPolicy> memoryPolicy = Optional.empty();
        private Optional<Personality> personality = Optional.empty();
        private final Map<String, TimeOffset> timeOffsets = new LinkedHashMap<>();
        private final Map<String, JsonNode> unknownFields = new LinkedHashMap<>();

        private Builder() {}

        public Builder uidMappings(Collection<IdMapping> value) {
            replace(uidMappings, value);
            return this;
        }

        public Builder gidMappings(Collection<IdMapping> value) {
            replace(gidMappings, value);
            return this;
        }

        /** Maps {@code size} container ids from 0 to host ids from {@code hostUid}/{@code hostGid}. */
        public Builder mapIds(long hostUid, long hostGid, long size) {
            uidMappings.add(IdMapping.of(0, hostUid, size));
            gidMappings.add(IdMapping.of(0, hostGid, size));
            return this;
        }

        public Builder sysctl(String key, String value) {
            put(sysctl, key, value);
            return this;
        }

        public Builder resources(Resources value) {
            resources = Optional.ofNullable(value);
            return this;
        }

        public Builder cgroupsPath(String value) {
            cgroupsPath = Optional.ofNullable(value);
            return this;
        }

        public Builder namespaces(Collection<Namespace> value) {
            replace(namespaces, value);
            return this;
        }

        /** Adds a new namespace of each type, replacing an entry of the same type. */
        public Builder namespaces(String... types) {
            for (String type : types) {
                namespace(Namespace.of(type));
            }
            return this;
        }

        /** Adds {@code ns}, replacing an entry of the same type (the spec forbids duplicates). */
        public Builder namespace(Namespace ns) {
            int at = -1;
            for (int i = 0; i < namespaces.size(); i++) {
                if (namespaces.get(i).type().equals(ns.type())) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                namespaces.add(ns);
            } else {
                namespaces.set(at, ns);
            }
            return this;
        }

        /** Removes the namespace entry of {@code type}: the container then shares the runtime's. */
        public Builder removeNamespace(String type) {
            namespaces.removeIf(n -> n.type().equals(type));
            return this;
        }

        public Builder devices(Collection<Device> value) {
            replace(devices, value);
            return this;
        }

        public Builder addDevice(Device device) {
            devices.add(device);
            return this;
        }

        public Builder netDevice(String hostName, NetDevice value) {
            put(netDevices, hostName, value);
            return this;
        }

        public Builder seccomp(Seccomp value) {
            seccomp = Optional.ofNullable(value);
            return this;
        }

        public Builder rootfsPropagation(String value) {
            rootfsPropagation = Optional.ofNullable(value);
            return this;
        }

        public Builder maskedPaths(Collection<String> value) {
            replace(maskedPaths, value);
            return this;
        }

        public Builder readonlyPaths(Collection<String> value) {
            replace(readonlyPaths, value);
            return this;
        }

        public Builder mountLabel(String value) {
            mountLabel = Optional.ofNullable(value);
            return this;
        }

        public Builder intelRdt(IntelRdt value) {
            intelRdt = Optional.ofNullable(value);
            return this;
        }

        public Builder memoryPolicy(MemoryPolicy value) {
            memoryPolicy = Optional.ofNullable(value);
            return this;
        }

        public Builder personality(Personality value) {
            personality = Optional.ofNullable(value);
            return this;
        }

        public Builder timeOffset(String clock, TimeOffset value) {
            put(timeOffsets, clock, value);
            return this;
        }

        /** Sets (or with {@code null}, removes) a field this model does not know. */
        public Builder unknownField(String name, JsonNode value) {
            put(unknownFields, name, value);
            return this;
        }

        public Linux build() {
            return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices,
                    netDevices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt,
                    memoryPolicy, personality, timeOffsets, unknownFields);
        }

        private static <T> void replace(List<T> list, Collection<T> value) {
            list.clear();
            if (value != null) {
                list.addAll(value);
            }
        }

        private static <V> void put(Map<String, V> map, String key, V value) {
            if (value == null) {
                map.remove(key);
            } else {
                map.put(key, value);
            }
        }
    }
}
