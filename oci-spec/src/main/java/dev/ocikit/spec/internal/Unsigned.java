package dev.ocikit.spec.internal;

import dev.ocikit.spec.InvalidFieldException;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import java.math.BigInteger;

/**
 * Unsigned integers as the OCI specs use them (Go's {@code uint32}, {@code uint64}).
 *
 * <p>Java has no unsigned 64-bit type, so a {@code uint64} is carried in the 64 bits of a
 * {@code long}: values above {@link Long#MAX_VALUE} read as negative longs (18446744073709551615,
 * Go's {@code math.MaxUint64} and Linux's {@code RLIM_INFINITY}, is {@code -1L}) and are written
 * back unsigned. The annotated (de)serializers here do that conversion; {@code uint32} and smaller
 * fit a {@code long} as is and only need {@link #check}.
 */
public final class Unsigned {
    /** The largest {@code uint32}. */
    public static final long UINT32_MAX = 0xFFFF_FFFFL;
    /** The largest {@code uint16}. */
    public static final long UINT16_MAX = 0xFFFFL;

    private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private Unsigned() {}

    /** The value if it lies in {@code [0, max]}, else a {@link InvalidFieldException} naming the range. */
    public static Long check(Long value, long max, String field) {
        if (value != null && (value < 0 || value > max)) {
            throw new InvalidFieldException(field, "must be between 0 and " + max + ", got " + value);
        }
        return value;
    }

    /** Like {@link #check(Long, long, String)} for {@code Integer} components. */
    public static Integer check(Integer value, long max, String field) {
        if (value != null && (value < 0 || value > max)) {
            throw new InvalidFieldException(field, "must be between 0 and " + max + ", got " + value);
        }
        return value;
    }

    /** Reads a JSON integer in {@code [0, 2^64)} into the bits of a {@code long}. */
    public static final class Uint64Deserializer extends StdScalarDeserializer<Long> {
        private static final long serialVersionUID = 1L;

        public Uint64Deserializer() {
            super(Long.class);
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                return (Long) ctxt.handleUnexpectedToken(Long.class, p);
            }
            BigInteger v = p.getBigIntegerValue();
            if (v.signum() < 0 || v.compareTo(UINT64_LIMIT) >= 0) {
                throw new InvalidFieldException("", "must be an unsigned 64-bit integer (0 to 18446744073709551615), got " + v);
            }
            return v.longValue();
        }
    }

    /** Writes the bits of a {@code long} as an unsigned decimal JSON integer. */
    public static final class Uint64Serializer extends StdScalarSerializer<Long> {
        private static final long serialVersionUID = 1L;

        public Uint64Serializer() {
            super(Long.class);
        }

        @Override
        public void serialize(Long value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value >= 0) {
                gen.writeNumber(value.longValue());
            } else {
                gen.writeNumber(new BigInteger(Long.toUnsignedString(value)));
            }
        }
    }
}
