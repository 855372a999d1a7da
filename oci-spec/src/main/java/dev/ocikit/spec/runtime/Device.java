package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import java.util.Map;
import java.util.Optional;

/**
 * An entry of {@code linux.devices}: a device node that must exist in the container. Immutable
 * and thread-safe.
 *
 * @param type {@code c} (character), {@code b} (block), {@code u} (unbuffered character) or {@code p} (FIFO)
 * @param path the node's path in the container
 * @param major major number; required unless {@code type} is {@code p}
 * @param minor minor number; required unless {@code type} is {@code p}
 * @param fileMode permission bits as a decimal number (438 is 0666); uint32
 * @param uid owner in the container's user namespace; uint32
 * @param gid group in the container's user namespace; uint32
 */
@JsonPropertyOrder({"path", "type", "major", "minor", "fileMode", "uid", "gid"})
public record Device(
        @JsonInclude(JsonInclude.Include.ALWAYS) String type,
        @JsonInclude(JsonInclude.Include.ALWAYS) String path,
        Optional<Long> major,
        Optional<Long> minor,
        Optional<Long> fileMode,
        Optional<Long> uid,
        Optional<Long> gid,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public Device {
        Fields.required(type, "type");
        Fields.required(path, "path");
        major = Check.opt(major);
        minor = Check.opt(minor);
        if (!"p".equals(type)) {
            if (major.isEmpty()) {
                throw new InvalidFieldException("major", "required field is missing (only FIFOs, type \"p\", may omit it)");
            }
            if (minor.isEmpty()) {
                throw new InvalidFieldException("minor", "required field is missing (only FIFOs, type \"p\", may omit it)");
            }
        }
        fileMode = Check.uint32(fileMode, "fileMode");
        uid = Check.uint32(uid, "uid");
        gid = Check.uint32(gid, "gid");
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** A character device. */
    public static Device charDevice(String path, long major, long minor) {
        return new Device("c", path, Optional.of(major), Optional.of(minor), null, null, null, null);
    }

    /** A block device. */
    public static Device blockDevice(String path, long major, long minor) {
        return new Device("b", path, Optional.of(major), Optional.of(minor), null, null, null, null);
    }

    /** The same device with permission bits {@code mode} (for example {@code 0666}) and owner. */
    public Device withMode(long mode, long uid, long gid) {
        return new Device(type, path, major, minor, Optional.of(mode), Optional.of(uid), Optional.of(gid),
                unknownFields);
    }
}
