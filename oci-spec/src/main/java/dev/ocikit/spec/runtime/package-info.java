/**
 * Typed models of the OCI runtime specification, versions 1.0 to 1.3: the runtime config
 * ({@link dev.ocikit.spec.runtime.Spec}, a bundle's {@code config.json}), the container state
 * ({@link dev.ocikit.spec.runtime.State}) and the Features structure
 * ({@link dev.ocikit.spec.runtime.Features}, what {@code runc features} prints).
 *
 * <p>All types are immutable records, safe to share between threads. They follow the rules of
 * the other ocikit models:
 *
 * <ul>
 *   <li><b>Required</b> means REQUIRED in the spec's normative text; a missing required field is
 *       refused with a {@link dev.ocikit.spec.MalformedDocumentException} naming it as a JSON
 *       pointer ({@code /process/rlimits/0/type}). Record components of required fields are
 *       never null.
 *   <li><b>Optional</b> scalars and objects are {@link java.util.Optional}s, so an explicit
 *       {@code false} or {@code 0} is written back as read; absent, {@code null}, {@code []} and
 *       {@code {}} mean the same (except in {@code Features}, where the spec keeps them apart).
 *   <li><b>Unknown fields</b> are kept in each object's {@code unknownFields()} and written back,
 *       as the spec requires runtimes to ignore, not reject, them. Sections for other platforms
 *       (Windows, Solaris, VM, z/OS, FreeBSD) travel this way.
 *   <li><b>Names the kernel or libseccomp define</b> (namespace types, capabilities, rlimit
 *       types, seccomp actions, scheduler policies …) are strings with constants for the known
 *       values, never enums, so that configs for newer runtimes read and round-trip; the runtime
 *       decides what it supports, and says so in its {@code Features}.
 *   <li><b>Numbers</b> keep the spec's ranges: {@code uint32} fields (uids, gids, mapping
 *       sizes …) are {@code long}s checked to lie in 0..4294967295; {@code int64} fields are
 *       plain longs ({@code -1} is "unlimited" for memory and pids); {@code uint64} fields
 *       (rlimits, seccomp argument values, cpu shares …) are carried in a long's 64 bits, so
 *       that 18446744073709551615 reads as {@code -1L} and is written back unsigned.
 * </ul>
 */
package dev.ocikit.spec.runtime;
