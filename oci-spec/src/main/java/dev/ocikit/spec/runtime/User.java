package dev.ocikit.spec.runtime;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.internal.Fields;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code process.user}: who the process runs as, in the container's user namespace. Immutable
 * and thread-safe.
 *
 * <p>Ids are {@code uint32}; they are held in {@code long}s so that the whole range, 4294967295
 * included, round-trips. {@code uid} and {@code gid} are REQUIRED on POSIX platforms, the only
 * ones ocikit runs; Go-based tools write them even for Windows, so a user object without them is
 * refused.
 *
 * @param umask the process umask as a number (for example 18 for 0022); absent leaves it unchanged
 * @param additionalGids supplementary groups
 * @param username the Windows user name
 */
@JsonPropertyOrder({"uid", "gid", "umask", "additionalGids", "username"})
public record User(
        Long uid,
        Long gid,
        Optional<Long> umask,
        List<Long> additionalGids,
        Optional<String> username,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    public User {
        Check.uint32(Fields.required(uid, "uid"), "uid");
        Check.uint32(Fields.required(gid, "gid"), "gid");
        umask = Check.uint32(umask, "umask");
        additionalGids = Check.uint32s(additionalGids, "additionalGids");
        username = Check.opt(username);
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** The user {@code uid} with primary group {@code gid}. */
    public static User of(long uid, long gid) {
        return new User(uid, gid, Optional.empty(), List.of(), Optional.empty(), Map.of());
    }

    /** root:root. */
    public static User root() {
        return of(0, 0);
    }

    public User withUmask(long value) {
        return new User(uid, gid, Optional.of(value), additionalGids, username, unknownFields);
    }

    public User withAdditionalGids(List<Long> value) {
        return new User(uid, gid, umask, value, username, unknownFields);
    }
}
