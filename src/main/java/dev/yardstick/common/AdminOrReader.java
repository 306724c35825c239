package dev.yardstick.common;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks read-only resources of team figures that the admin token or {@code YARDSTICK_READER_TOKEN} may read (team
 * summaries, the organisation view, rendered digests): nothing that names a person, no changes.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface AdminOrReader {
}
