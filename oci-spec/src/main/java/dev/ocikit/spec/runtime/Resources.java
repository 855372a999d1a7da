package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import dev.ocikit.spec.internal.OptionalUint64;
import dev.ocikit.spec.internal.Uint64;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code linux.resources}: cgroup limits and the device allow-list. Immutable and thread-safe;
 * build one with {@link #builder()}.
 *
 * <p>Numbers follow the spec's Go types: {@code int64} fields are plain longs where {@code -1}
 * means unlimited (memory, pids); {@code uint64} fields are carried in a long's bits (see
 * {@link Rlimit}); {@code uint32} and {@code uint16} fields are range-checked.
 *
 * @param devices the device allow/deny rules, applied in order
 * @param memory the memory controller
 * @param cpu the cpu and cpuset controllers
 * @param pids the pids controller
 * @param blockIo JSON {@code blockIO}, the blkio/io controller
 * @param hugepageLimits the hugetlb controller
 * @param network the net_cls and net_prio controllers
 * @param rdma the rdma controller, by device name
 * @param unified raw cgroup v2 files and their contents ({@code "memory.high": "1G"})
 */
@JsonPropertyOrder({"devices", "memory", "cpu", "pids", "blockIO", "hugepageLimits", "network", "rdma", "unified"})
public record Resources(
        List<DeviceRule> devices,
        Optional<Memory> memory,
        Optional<Cpu> cpu,
        Optional<Pids> pids,
        @JsonProperty("blockIO") Optional<BlockIo> blockIo,
        List<HugepageLimit> hugepageLimits,
        Optional<Network> network,
        @JsonInclude(value = JsonInclude.Include.NON_EMPTY, content = JsonInclude.Include.ALWAYS) Map<String, Rdma> rdma,
        @JsonInclude(value = JsonInclude.Include.NON_EMPTY, content = JsonInclude.Include.ALWAYS) Map<String, String> unified,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public Resources {
        devices = Fields.list(devices, "devices");
        memory = Check.opt(memory);
        cpu = Check.opt(cpu);
        pids = Check.opt(pids);
        blockIo = Check.opt(blockIo);
        hugepageLimits = Fields.list(hugepageLimits, "hugepageLimits");
        network = Check.opt(network);
        rdma = Fields.map(rdma, "rdma");
        unified = Fields.map(unified, "unified");
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

    public Builder toBuilder() {
        Builder b = new Builder();
        b.devices.addAll(devices);
        b.memory = memory;
        b.cpu = cpu;
        b.pids = pids;
        b.blockIo = blockIo;
        b.hugepageLimits.addAll(hugepageLimits);
        b.network = network;
        b.rdma.putAll(rdma);
        b.unified.putAll(unified);
        b.unknownFields.putAll(unknownFields);
        return b;
    }

    /**
     * Collects the fields of {@link Resources}. Setters replace, {@code add…} methods append,
     * {@code null} clears. Not thread-safe; {@link #build()} copies.
     */
    public static final class Builder {
        private final List<DeviceRule> devices = new ArrayList<>();
        private Optional<Memory> memory = Optional.empty();
        private Optional<Cpu> cpu = Optional.empty();
        private Optional<Pids> pids = Optional.empty();
        private Optional<BlockIo> blockIo = Optional.empty();
        private final List<HugepageLimit> hugepageLimits = new ArrayList<>();
        private Optional<Network> network = Optional.empty();
        private final Map<String, Rdma> rdma = new LinkedHashMap<>();
        private final Map<String, String> unified = new LinkedHashMap<>();
        private final Map<String, JsonNode> unknownFields = new LinkedHashMap<>();

        private Builder() {}

        public Builder devices(Collection<DeviceRule> value) {
            devices.clear();
            if (value != null) {
                devices.addAll(value);
            }
            return this;
        }

        public Builder addDevice(DeviceRule rule) {
            devices.add(rule);
            return this;
        }

        public Builder memory(Memory value) {
            memory = Optional.ofNullable(value);
            return this;
        }

        public Builder cpu(Cpu value) {
            cpu = Optional.ofNullable(value);
            return this;
        }

        public Builder pids(Pids value) {
            pids = Optional.ofNullable(value);
            return this;
        }

        /** At most {@code limit} tasks; -1 for no limit. */
        public Builder pidsLimit(long limit) {
            return pids(Pids.of(limit));
        }

        public Builder blockIo(BlockIo value) {
            blockIo = Optional.ofNullable(value);
            return this;
        }

        public Builder addHugepageLimit(HugepageLimit value) {
            hugepageLimits.add(value);
            return this;
        }

        public Builder network(Network value) {
            network = Optional.ofNullable(value);
            return this;
        }

        public Builder rdma(String device, Rdma value) {
            if (value == null) {
                rdma.remove(device);
            } else {
                rdma.put(device, value);
            }
            return this;
        }

        /** Writes {@code value} to cgroup v2 file {@code file}. */
        public Builder unified(String file, String value) {
            if (value == null) {
                unified.remove(file);
            } else {
                unified.put(file, value);
            }
            return this;
        }

        public Resources build() {
            return new Resources(devices, memory, cpu, pids, blockIo, hugepageLimits, network, rdma, unified,
                    unknownFields);
        }
    }

    /**
     * An entry of {@code resources.devices}: allow or deny access to devices (cgroup device
     * controller). Absent type, major or minor mean "all". Immutable and thread-safe.
     *
     * @param type {@code a} (all), {@code c} or {@code b}
     * @param access a combination of {@code r}, {@code w}, {@code m}
     */
    @JsonPropertyOrder({"allow", "type", "major", "minor", "access"})
    public record DeviceRule(
            Boolean allow,
            Optional<String> type,
            Optional<Long> major,
            Optional<Long> minor,
            Optional<String> access,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public DeviceRule {
            Fields.required(allow, "allow");
            type = Check.opt(type);
            major = Check.opt(major);
            minor = Check.opt(minor);
            access = Check.opt(access);
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }

        /** Denies every access to every device: the usual first rule. */
        public static DeviceRule denyAll() {
            return new DeviceRule(false, null, null, null, Optional.of("rwm"), null);
        }

        /** Allows {@code access} to device {@code type} {@code major}:{@code minor}. */
        public static DeviceRule allow(String type, long major, long minor, String access) {
            return new DeviceRule(true, Optional.of(type), Optional.of(major), Optional.of(minor),
                    Optional.of(access), null);
        }
    }

    /**
     * {@code resources.memory}. Limits are bytes as {@code int64}, {@code -1} meaning unlimited.
     * Immutable and thread-safe; start from {@link #EMPTY} and use the {@code with…} methods.
     *
     * @param limit hard limit
     * @param reservation soft limit
     * @param swap limit of memory plus swap
     * @param kernel kernel memory limit; NOT RECOMMENDED by the spec (cgroup v1 only, deprecated)
     * @param kernelTcp JSON {@code kernelTCP}; NOT RECOMMENDED by the spec
     * @param swappiness vm.swappiness for the cgroup, 0 to 100 (uint64; Docker has been known to
     *     write 18446744073709551615, which round-trips)
     * @param disableOomKiller JSON {@code disableOOMKiller}
     * @param useHierarchy hierarchical accounting (cgroup v1)
     * @param checkBeforeUpdate refuse a new limit below current usage (1.1+)
     */
    @JsonPropertyOrder({"limit", "reservation", "swap", "kernel", "kernelTCP", "swappiness", "disableOOMKiller",
        "useHierarchy", "checkBeforeUpdate"})
    public record Memory(
            Optional<Long> limit,
            Optional<Long> reservation,
            Optional<Long> swap,
            Optional<Long> kernel,
            @JsonProperty("kernelTCP") Optional<Long> kernelTcp,
            @OptionalUint64 Optional<Long> swappiness,
            @JsonProperty("disableOOMKiller") Optional<Boolean> disableOomKiller,
            Optional<Boolean> useHierarchy,
            Optional<Boolean> checkBeforeUpdate,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        /** Nothing set. */
        public static final Memory EMPTY = new Memory(null, null, null, null, null, null, null, null, null, null);

        public Memory {
            limit = Check.opt(limit);
            reservation = Check.opt(reservation);
            swap = Check.opt(swap);
            kernel = Check.opt(kernel);
            kernelTcp = Check.opt(kernelTcp);
            swappiness = Check.opt(swappiness);
            disableOomKiller = Check.opt(disableOomKiller);
            useHierarchy = Check.opt(useHierarchy);
            checkBeforeUpdate = Check.opt(checkBeforeUpdate);
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }

        /** A hard limit of {@code bytes} (-1: unlimited). */
        public static Memory limit(long bytes) {
            return EMPTY.withLimit(bytes);
        }

        public Memory withLimit(long bytes) {
            return new Memory(Optional.of(bytes), reservation, swap, kernel, kernelTcp, swappiness, disableOomKiller,
                    useHierarchy, checkBeforeUpdate, unknownFields);
        }

        public Memory withReservation(long bytes) {
            return new Memory(limit, Optional.of(bytes), swap, kernel, kernelTcp, swappiness, disableOomKiller,
                    useHierarchy, checkBeforeUpdate, unknownFields);
        }

        public Memory withSwap(long bytes) {
            return new Memory(limit, reservation, Optional.of(bytes), kernel, kernelTcp, swappiness,
                    disableOomKiller, useHierarchy, checkBeforeUpdate, unknownFields);
        }

        public Memory withSwappiness(long value) {
            return new Memory(limit, reservation, swap, kernel, kernelTcp, Optional.of(value), disableOomKiller,
                    useHierarchy, checkBeforeUpdate, unknownFields);
        }

        public Memory withDisableOomKiller(boolean value) {
            return new Memory(limit, reservation, swap, kernel, kernelTcp, swappiness, Optional.of(value),
                    useHierarchy, checkBeforeUpdate, unknownFields);
        }

        public Memory withCheckBeforeUpdate(boolean value) {
            return new Memory(limit, reservation, swap, kernel, kernelTcp, swappiness, disableOomKiller,
                    useHierarchy, Optional.of(value), unknownFields);
        }
    }

    /**
     * {@code resources.cpu}: the cpu and cpuset controllers. Times are microseconds. Immutable
     * and thread-safe; start from {@link #EMPTY} and use the {@code with…} methods.
     *
     * @param shares relative weight (uint64)
     * @param quota CPU time per period; -1 for none (int64)
     * @param burst extra accumulated time a burst may use (uint64, 1.1+)
     * @param period the CFS period (uint64)
     * @param realtimeRuntime real-time runtime per period (int64)
     * @param realtimePeriod the real-time period (uint64)
     * @param cpus CPUs in cpuset syntax, {@code 0-3,7}
     * @param mems memory nodes in cpuset syntax
     * @param idle 1 makes the cgroup SCHED_IDLE (int64, 1.1+)
     */
    @JsonPropertyOrder({"shares", "quota", "burst", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems",
        "idle"})
    public record Cpu(
            @OptionalUint64 Optional<Long> shares,
            Optional<Long> quota,
            @OptionalUint64 Optional<Long> burst,
            @OptionalUint64 Optional<Long> period,
            Optional<Long> realtimeRuntime,
            @OptionalUint64 Optional<Long> realtimePeriod,
            Optional<String> cpus,
            Optional<String> mems,
            Optional<Long> idle,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        /** Nothing set. */
        public static final Cpu EMPTY = new Cpu(null, null, null, null, null, null, null, null, null, null);

        public Cpu {
            shares = Check.opt(shares);
            quota = Check.opt(quota);
            burst = Check.opt(burst);
            period = Check.opt(period);
            realtimeRuntime = Check.opt(realtimeRuntime);
            realtimePeriod = Check.opt(realtimePeriod);
            cpus = Check.opt(cpus);
            mems = Check.opt(mems);
            idle = Check.opt(idle);
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }

        public Cpu withShares(long value) {
            return new Cpu(Optional.of(value), quota, burst, period, realtimeRuntime, realtimePeriod, cpus, mems,
                    idle, unknownFields);
        }

        /** At most {@code quota} microseconds of CPU time every {@code period} microseconds. */
        public Cpu withQuota(long quota, long period) {
            return new Cpu(shares, Optional.of(quota), burst, Optional.of(period), realtimeRuntime, realtimePeriod,
                    cpus, mems, idle, unknownFields);
        }

        public Cpu withCpus(String value) {
            return new Cpu(shares, quota, burst, period, realtimeRuntime, realtimePeriod, Optional.of(value), mems,
                    idle, unknownFields);
        }

        public Cpu withMems(String value) {
            return new Cpu(shares, quota, burst, period, realtimeRuntime, realtimePeriod, cpus, Optional.of(value),
                    idle, unknownFields);
        }
    }

    /**
     * {@code resources.pids}. Immutable and thread-safe.
     *
     * @param limit the most tasks the cgroup may hold; -1 for no limit (0 is a real limit)
     */
    @JsonPropertyOrder({"limit"})
    public record Pids(
            Optional<Long> limit,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public Pids {
            limit = Check.opt(limit);
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }

        public static Pids of(long limit) {
            return new Pids(Optional.of(limit), Map.of());
        }
    }

    /**
     * {@code resources.blockIO}: the blkio (v1) or io (v2) controller. Weights are uint16.
     * Immutable and thread-safe.
     */
    @JsonPropertyOrder({"weight", "leafWeight", "weightDevice", "throttleReadBpsDevice", "throttleWriteBpsDevice",
        "throttleReadIOPSDevice", "throttleWriteIOPSDevice"})
    public record BlockIo(
            Optional<Integer> weight,
            Optional<Integer> leafWeight,
            List<WeightDevice> weightDevice,
            List<ThrottleDevice> throttleReadBpsDevice,
            List<ThrottleDevice> throttleWriteBpsDevice,
            @JsonProperty("throttleReadIOPSDevice") List<ThrottleDevice> throttleReadIopsDevice,
            @JsonProperty("throttleWriteIOPSDevice") List<ThrottleDevice> throttleWriteIopsDevice,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public BlockIo {
            weight = Check.uint16(weight, "weight");
            leafWeight = Check.uint16(leafWeight, "leafWeight");
            weightDevice = Fields.list(weightDevice, "weightDevice");
            throttleReadBpsDevice = Fields.list(throttleReadBpsDevice, "throttleReadBpsDevice");
            throttleWriteBpsDevice = Fields.list(throttleWriteBpsDevice, "throttleWriteBpsDevice");
            throttleReadIopsDevice = Fields.list(throttleReadIopsDevice, "throttleReadIOPSDevice");
            throttleWriteIopsDevice = Fields.list(throttleWriteIopsDevice, "throttleWriteIOPSDevice");
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }

        /** Only a default weight. */
        public static BlockIo weight(int weight) {
            return new BlockIo(Optional.of(weight), null, null, null, null, null, null, null);
        }
    }

    /**
     * An entry of {@code blockIO.weightDevice}: a per-device weight. Immutable and thread-safe.
     *
     * @param weight uint16
     * @param leafWeight uint16, CFQ only
     */
    @JsonPropertyOrder({"major", "minor", "weight", "leafWeight"})
    public record WeightDevice(
            Long major,
            Long minor,
            Optional<Integer> weight,
            Optional<Integer> leafWeight,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public WeightDevice {
            Fields.required(major, "major");
            Fields.required(minor, "minor");
            weight = Check.uint16(weight, "weight");
            leafWeight = Check.uint16(leafWeight, "leafWeight");
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }

        public static WeightDevice of(long major, long minor, int weight) {
            return new WeightDevice(major, minor, Optional.of(weight), Optional.empty(), Map.of());
        }
    }

    /**
     * An entry of the {@code blockIO.throttle…Device} lists: a per-device rate limit, bytes or
     * operations per second. Immutable and thread-safe.
     *
     * @param rate uint64, carried in a long's bits
     */
    @JsonPropertyOrder({"major", "minor", "rate"})
    public record ThrottleDevice(
            Long major,
            Long minor,
            @Uint64 Long rate,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public ThrottleDevice {
            Fields.required(major, "major");
            Fields.required(minor, "minor");
            Fields.required(rate, "rate");
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }

        public static ThrottleDevice of(long major, long minor, long rate) {
            return new ThrottleDevice(major, minor, rate, Map.of());
        }
    }

    /**
     * An entry of {@code resources.hugepageLimits}. Immutable and thread-safe.
     *
     * @param pageSize {@code <size><unit>B}, base 1024: {@code 2MB}, {@code 1GB}
     * @param limit bytes (uint64, carried in a long's bits)
     */
    @JsonPropertyOrder({"pageSize", "limit"})
    public record HugepageLimit(
            @JsonInclude(JsonInclude.Include.ALWAYS) String pageSize,
            @Uint64 Long limit,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public HugepageLimit {
            Fields.required(pageSize, "pageSize");
            Fields.required(limit, "limit");
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }

        public static HugepageLimit of(String pageSize, long limit) {
            return new HugepageLimit(pageSize, limit, Map.of());
        }
    }

    /**
     * {@code resources.network}: net_cls class id and net_prio priorities. Immutable and
     * thread-safe.
     *
     * @param classId JSON {@code classID}, uint32
     */
    @JsonPropertyOrder({"classID", "priorities"})
    public record Network(
            @JsonProperty("classID") Optional<Long> classId,
            List<InterfacePriority> priorities,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public Network {
            classId = Check.uint32(classId, "classID");
            priorities = Fields.list(priorities, "priorities");
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }
    }

    /**
     * An entry of {@code network.priorities}. Immutable and thread-safe.
     *
     * @param name interface name in the runtime's network namespace
     * @param priority uint32
     */
    @JsonPropertyOrder({"name", "priority"})
    public record InterfacePriority(
            @JsonInclude(JsonInclude.Include.ALWAYS) String name,
            Long priority,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public InterfacePriority {
            Fields.required(name, "name");
            Check.uint32(Fields.required(priority, "priority"), "priority");
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }

        public static InterfacePriority of(String name, long priority) {
            return new InterfacePriority(name, priority, Map.of());
        }
    }

    /**
     * A value of {@code resources.rdma}, keyed by device name. Both counts are uint32.
     * Immutable and thread-safe.
     */
    @JsonPropertyOrder({"hcaHandles", "hcaObjects"})
    public record Rdma(
            Optional<Long> hcaHandles,
            Optional<Long> hcaObjects,
            @JsonAnySetter Map<String, JsonNode> unknownFields) {

        public Rdma {
            hcaHandles = Check.uint32(hcaHandles, "hcaHandles");
            hcaObjects = Check.uint32(hcaObjects, "hcaObjects");
            unknownFields = Fields.bag(unknownFields);
        }

        /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
        @JsonAnyGetter
        public Map<String, JsonNode> unknownFields() {
            return Fields.copyBag(unknownFields);
        }
    }
}
