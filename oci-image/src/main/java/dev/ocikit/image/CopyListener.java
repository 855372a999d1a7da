package dev.ocikit.image;

import dev.ocikit.spec.image.Descriptor;

/**
 * Hears how a {@link Copy} advances, blob by blob, to draw progress bars or log. Every method
 * has a do-nothing default; implement the ones you need.
 *
 * <p><b>Pairing.</b> For each blob the copy touches, {@link #blobStarted} is called once, then
 * {@link #blobProgress} any number of times with growing {@code bytesDone}, then
 * {@link #blobEnded} exactly once, whatever happened. Blobs are copied in parallel, so calls for
 * different blobs interleave and come from several threads: implementations must be
 * thread-safe.
 *
 * <p><b>Be fast, never throw.</b> Callbacks run on the copying threads, between reads. An
 * exception thrown by a callback is logged and ignored; it does not stop the copy.
 */
public interface CopyListener {
    /** Hears nothing. */
    CopyListener NONE = new CopyListener() {};

    /** How a blob's copy ended. */
    enum Outcome {
        /** The content was read from the source and written to the destination. */
        COPIED,
        /** The destination already had the blob (or got it without an upload); nothing was read. */
        REUSED,
        /** The copy of this blob failed; the exception is thrown by {@link Copy#run()}. */
        FAILED
    }

    /** A blob starts; {@code blob.size()} bytes are to be read from the source. */
    default void blobStarted(Descriptor blob) {}

    /**
     * Bytes of {@code blob} read from the source so far.
     *
     * @param bytesTotal the blob's size at the source
     */
    default void blobProgress(Descriptor blob, long bytesDone, long bytesTotal) {}

    /** A blob is done. */
    default void blobEnded(Descriptor blob, Outcome outcome) {}
}
