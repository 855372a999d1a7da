package dev.ocikit.registry;

import java.util.Objects;
import java.util.function.Supplier;

/** A value made on first use, once, however many threads ask at the same time. */
final class Memoized<T> implements Supplier<T> {
    private final Supplier<T> make;
    private volatile T made;

    private Memoized(Supplier<T> make) {
        this.make = make;
    }

    static <T> Supplier<T> of(Supplier<T> make) {
        return new Memoized<>(Objects.requireNonNull(make, "make"));
    }

    @Override
    public T get() {
        T value = made;
        if (value == null) {
            synchronized (this) {
                value = made;
                if (value == null) {
                    value = make.get();
                    made = value;
                }
            }
        }
        return value;
    }
}
