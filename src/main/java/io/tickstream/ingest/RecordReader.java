package io.tickstream.ingest;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.JsonCodec;
import io.tickstream.feed.QueueCodec;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads the feed's records from a Chronicle {@link ExcerptTailer}, one at a time, in the tailer's
 * direction: the one read-and-decode loop of the live tailer, the replayer and the tests. Each
 * {@link #next()} says what it found as a value, {@link Found}; the record it read is then
 * {@link #seq()} and {@link #message()} (or {@link #decodeError()}) until the next call.
 *
 * <p>A record that cannot be decoded (torn by a fault, or foreign: see {@link QueueCodec}) is
 * {@link Found#DAMAGED}, and the reader is past it; what to do about it (skip and count it, fail a
 * test) is the caller's. A fault in the mapped file itself ({@link InternalError}) and a failure of
 * the queue to present a record (any other exception of the tailer) are not records: they are
 * thrown to the caller, as the tailer throws them.
 *
 * <p>Allocates nothing per record beyond the decoded message: what {@link #next()} found is kept in
 * fields, so that the live tailer's path stays as lean as a hand-written loop.
 *
 * <p>Threading: owned by the thread that owns its tailer ("tailers are NOT thread-safe"); not
 * thread-safe. The reader owns the tailer: {@link #close()} closes it.
 */
public final class RecordReader implements AutoCloseable {

    /** What {@link #next()} found. */
    public enum Found {
        /** A record, decoded: {@link #seq()} and {@link #message()}. */
        RECORD,
        /** A record that cannot be decoded: {@link #seq()} and {@link #decodeError()}; the reader is past it. */
        DAMAGED,
        /** A record with a seq after the reader's last: left unread, not decoded; {@link #seq()} is its seq. */
        AFTER_LAST,
        /** No record (yet) where the tailer is: the queue's end in the tailer's direction. */
        END
    }

    private final ExcerptTailer tailer;
    private final long last;
    private long seq = -1;
    private FeedMessage message;
    private EncodedMessage encoded;
    private RuntimeException decodeError;
    /** When the records read now are read (microseconds since the epoch), for their {@link EncodedMessage}. */
    private long readMicros = -1;

    /** A reader of every record from where {@code tailer} is on. */
    public RecordReader(ExcerptTailer tailer) {
        this(tailer, Long.MAX_VALUE);
    }

    /**
     * A reader of the records from where {@code tailer} is on up to the seq {@code last}; the record
     * after it is {@link Found#AFTER_LAST}, never decoded.
     */
    public RecordReader(ExcerptTailer tailer, long last) {
        this.tailer = tailer;
        this.last = last;
    }

    /**
     * A reader whose next record is the one at {@code index}, or from the queue's end when there is
     * none there yet.
     */
    public static RecordReader at(ChronicleQueue queue, long index) {
        ExcerptTailer t = queue.createTailer();
        if (!t.moveToIndex(index)) {
            t.toEnd();
        }
        return new RecordReader(t);
    }

    /**
     * A reader just after the record at {@code index} (moved to it, then past it, which also crosses a
     * roll to the next cycle), or {@code null} when that record is no longer in the queue.
     */
    public static RecordReader after(ChronicleQueue queue, long index) {
        RecordReader records = new RecordReader(queue.createTailer());
        if (!records.tailer.moveToIndex(index)) {
            records.close();
            return null;
        }
        records.skip();
        return records;
    }

    /**
     * The records read from now on are read at {@code micros} (microseconds since the epoch): their
     * encoded messages say so ({@link EncodedMessage#readMicros()}). A reader of a pass of records
     * sets it once per pass rather than reading the clock per record.
     */
    public void readingAt(long micros) {
        readMicros = micros;
    }

    /** Reads the next record. */
    public Found next() {
        return next(null);
    }

    /**
     * Reads the next record and encodes its message once as protocol JSON with {@code codec}
     * ({@link #encoded()}); a record whose message cannot be encoded is {@link Found#DAMAGED} as
     * well. The codec's thread calls it; {@code null} encodes nothing.
     */
    public Found next(JsonCodec codec) {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return Found.END;
            }
            seq = dc.index();
            message = null;
            encoded = null;
            decodeError = null;
            if (seq > last) {
                dc.rollbackOnClose();
                return Found.AFTER_LAST;
            }
            try {
                FeedMessage read = QueueCodec.read(dc.wire().bytes());
                encoded = codec == null ? null : EncodedMessage.of(seq, read, codec, readTime(read));
                message = read;
                return Found.RECORD;
            } catch (RuntimeException e) {
                encoded = null;
                decodeError = e;
                return Found.DAMAGED;
            }
        }
    }

    /** Reads past the next record without decoding it; false when there is none (the {@link Found#END}). */
    public boolean skip() {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return false;
            }
            seq = dc.index();
            message = null;
            encoded = null;
            decodeError = null;
            return true;
        }
    }

    /** The seq (queue index) of the record last read, or -1 before any. */
    public long seq() {
        return seq;
    }

    /** The message of the record last read, when it was a {@link Found#RECORD}; otherwise null. */
    public FeedMessage message() {
        return message;
    }

    /**
     * The message of the record last read (a {@link Found#RECORD}) with its seq, encoded once as
     * protocol JSON with {@code codec}; the codec's thread calls it.
     */
    public EncodedMessage encode(JsonCodec codec) {
        return EncodedMessage.of(seq, message, codec, readTime(message));
    }

    /**
     * When {@code m} was read: the pass's time ({@link #readingAt}), or its {@code ts} when it was
     * written after the pass read the clock (a record is never read before it is written); -1 when
     * not known.
     */
    private long readTime(FeedMessage m) {
        return readMicros < 0 ? -1 : Math.max(readMicros, m.ts());
    }

    /** The record last read as {@link #next(JsonCodec)} encoded it, when a {@link Found#RECORD}; else null. */
    public EncodedMessage encoded() {
        return encoded;
    }

    /** Why the record last read could not be decoded, when it was {@link Found#DAMAGED}; otherwise null. */
    public RuntimeException decodeError() {
        return decodeError;
    }

    /** Closes the tailer. */
    @Override
    public void close() {
        tailer.close();
    }
}
