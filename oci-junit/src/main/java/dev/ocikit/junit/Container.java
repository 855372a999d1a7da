package dev.ocikit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of an {@link OciContainers @OciContainers} test class whose {@link OciContainer}
 * the extension starts and removes: a {@code static} field for the whole class, an instance
 * field for each test. The field must hold an {@link OciContainer} (not null) by the time the
 * class's tests start; it is usually initialised where it is declared.
 *
 * <p>A static container of a base class that several classes running at the same time share is
 * started once and removed after the last of them.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Container {}
