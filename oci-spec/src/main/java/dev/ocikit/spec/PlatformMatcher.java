package dev.ocikit.spec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides which platforms a wanted platform accepts, and which of several is best. Immutable and
 * thread-safe. Get one from {@link Platform#matcher()} (compatible platforms too, as Podman and
 * containerd pull) or {@link Platform#strictMatcher()} (the same platform only).
 *
 * <p>A candidate matches an accepted platform when, both normalised, OS, architecture and
 * variant are equal, the candidate's OS features are all among the wanted ones, and, for Windows,
 * the OS versions are compatible (see containerd's rules: same build before Windows Server 2022,
 * any build from 2022's up to the host's after it).
 */
public final class PlatformMatcher {
    private final Platform wanted;
    private final List<Platform> accepted;

    private PlatformMatcher(Platform wanted, List<Platform> accepted) {
        this.wanted = wanted;
        this.accepted = accepted;
    }

    static PlatformMatcher compatible(Platform wanted) {
        Platform normal = wanted.normalize();
        return new PlatformMatcher(wanted, PlatformRules.compatible(normal));
    }

    static PlatformMatcher exact(Platform wanted) {
        return new PlatformMatcher(wanted, List.of(wanted.normalize()));
    }

    /** The platform this matcher was made for, as given. */
    public Platform wanted() {
        return wanted;
    }

    /** The accepted platforms, normalised, best first. */
    public List<Platform> accepted() {
        return accepted;
    }

    /** Whether {@code candidate} is accepted. */
    public boolean matches(Platform candidate) {
        return rank(candidate).isPresent();
    }

    /**
     * How good a match {@code candidate} is: the position of the first accepted platform it
     * matches (0 is best), or empty if it matches none.
     */
    public OptionalInt rank(Platform candidate) {
        Objects.requireNonNull(candidate, "candidate");
        return rank(candidate.normalize(), candidate.osVersion().orElse(""), true);
    }

    private OptionalInt rank(Platform normal, String candidateOsVersion, boolean withFeatures) {
        Set<String> features = withFeatures ? new HashSet<>(normal.osFeatures()) : Set.of();
        for (int i = 0; i < accepted.size(); i++) {
            Platform a = accepted.get(i);
            if (a.os().equals(normal.os())
                    && a.architecture().equals(normal.architecture())
                    && a.variant().orElse("").equals(normal.variant().orElse(""))
                    && (!a.os().equals("windows")
                        || PlatformRules.windowsCompatible(a.osVersion().orElse(""), candidateOsVersion))
                    && a.osFeatures().containsAll(features)) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Orders platforms best first: accepted ones by {@link #rank}, and among equally ranked ones
     * those declaring more OS features first (they were built for this host more specifically);
     * platforms not accepted come last.
     */
    public Comparator<Platform> comparator() {
        return (a, b) -> {
            Platform na = a.normalize();
            Platform nb = b.normalize();
            int ra = rank(na, a.osVersion().orElse(""), true).orElse(Integer.MAX_VALUE);
            int rb = rank(nb, b.osVersion().orElse(""), true).orElse(Integer.MAX_VALUE);
            if (ra != rb) {
                return Integer.compare(ra, rb);
            }
            if (ra != Integer.MAX_VALUE) {
                return Integer.compare(b.osFeatures().size(), a.osFeatures().size());
            }
            // Neither is accepted: order them as if they declared no OS features, as containerd does.
            int sa = rank(na, a.osVersion().orElse(""), false).orElse(Integer.MAX_VALUE);
            int sb = rank(nb, b.osVersion().orElse(""), false).orElse(Integer.MAX_VALUE);
            return Integer.compare(sa, sb);
        };
    }

    /**
     * The accepted items, best first; items of equal rank keep their order (in an index, the
     * earlier entry wins, as with every OCI client). Items without a platform are left out.
     *
     * @param platformOf the platform of an item, for example {@code Descriptor::platform}
     */
    public <T> List<T> select(Collection<? extends T> items, Function<? super T, Optional<Platform>> platformOf) {
        List<T> matching = new ArrayList<>();
        List<Platform> platforms = new ArrayList<>();
        for (T item : items) {
            Optional<Platform> p = platformOf.apply(item);
            if (p.isPresent() && matches(p.get())) {
                matching.add(item);
                platforms.add(p.get());
            }
        }
        Comparator<Platform> order = comparator();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < matching.size(); i++) {
            positions.add(i);
        }
        positions.sort((x, y) -> order.compare(platforms.get(x), platforms.get(y))); // List.sort is stable
        List<T> out = new ArrayList<>(matching.size());
        for (int i : positions) {
            out.add(matching.get(i));
        }
        return List.copyOf(out);
    }

    /** The best accepted item, as {@link #select} orders them. */
    public <T> Optional<T> best(Collection<? extends T> items, Function<? super T, Optional<Platform>> platformOf) {
        List<T> all = select(items, platformOf);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("PlatformMatcher[").append(wanted).append(" accepts ");
        for (int i = 0; i < accepted.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(accepted.get(i));
        }
        return b.append(']').toString();
    }
}
