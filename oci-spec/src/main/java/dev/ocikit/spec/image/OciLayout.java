package dev.ocikit.spec.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.InvalidFieldException;
import dev.ocikit.spec.internal.Fields;
import java.util.Map;

/**
 * The {@code oci-layout} file at the root of an OCI image layout
 * ({@link MediaTypes#OCI_LAYOUT_HEADER}): it marks the directory as a layout and names the layout
 * version. Immutable and thread-safe.
 *
 * @param imageLayoutVersion the layout version, {@code 1.0.0}; required
 * @param unknownFields fields this version of the spec does not define, kept for round trips
 */
public record OciLayout(
        String imageLayoutVersion,
        @JsonAnySetter Map<String, JsonNode> unknownFields) {

    /** The layout version the image spec defines, and ocikit writes. */
    public static final String VERSION = "1.0.0";

    /** The file ocikit writes: {@code {"imageLayoutVersion":"1.0.0"}}. */
    public static final OciLayout CURRENT = new OciLayout(VERSION, Map.of());

    /** The name of the file in a layout directory. */
    public static final String FILE_NAME = "oci-layout";

    public OciLayout {
        Fields.required(imageLayoutVersion, "imageLayoutVersion");
        if (imageLayoutVersion.isEmpty()) {
            throw new InvalidFieldException("imageLayoutVersion", "must not be empty");
        }
        unknownFields = Fields.bag(unknownFields);
    }

    /** Fields the spec does not define, kept for round trips: a deep copy, so the model stays immutable. */
    @JsonAnyGetter
    public Map<String, JsonNode> unknownFields() {
        return Fields.copyBag(unknownFields);
    }

    /** Reads an {@code oci-layout} file. */
    public static OciLayout parse(byte[] json) {
        return Json.parse(json, OciLayout.class, "oci-layout file");
    }

    /**
     * Whether ocikit can read a layout of this version: any 1.x, since minor versions only add
     * things readers may ignore.
     */
    public boolean supported() {
        return imageLayoutVersion.equals("1") || imageLayoutVersion.startsWith("1.");
    }

    /** Compact JSON of this file. */
    public byte[] toJson() {
        return Json.write(this);
    }
}
