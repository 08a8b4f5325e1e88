package io.tickstream.feed;

import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The compact binary record format of the queue. One record per excerpt:
 *
 * <pre>
 * byte    format version (3; 2 is the same without event ids and corrections, 1 is 2 without
 *         the checksum: both still read)
 * byte    kind: 1 tick, 2 score
 * long    ts, microseconds since the epoch
 * tick:   utf8 symbol; double bid, ask, last; stop-bit size, volume
 * score:  utf8 sport, match, home, away; stop-bit homeScore, awayScore, clockSeconds;
 *         byte status ordinal; byte event kind ordinal + 1 (0 = no event; 4, a correction, from
 *         version 3)
 *         [stop-bit minute; byte side (0 none, 1 home, 2 away); utf8 player ("" = none);
 *          utf8 detail ("" = none);
 *          version 3: utf8 id ("" = none); a correction: utf8 retracts, utf8 reason]
 * int     CRC-32C of every byte before it, version included (versions 2 and 3)
 * </pre>
 *
 * <p>Every version keeps version, kind, ts and then the topic's strings (the symbol, or the sport
 * and the match) first and in place: header-only readers ({@code TopicTable}, the replication's
 * and the index's reads of {@link #TS_OFFSET}) read them without decoding the rest.
 *
 * <p>The checksum is there for torn writes: the queue is written through a memory map, and when
 * the file system fills up (or the machine dies) a record can be committed with some of its
 * bytes never stored; the JVM even reports such a fault only some instructions later, after the
 * record was completed. A reader must not deliver what is left of it, nor guess at it.
 *
 * <p>Stateless and thread-safe. A record of an unknown version or kind, one whose checksum does
 * not match, or one with bytes left over is rejected with {@link IllegalArgumentException}, so
 * that a reader never guesses at foreign or damaged bytes.
 */
public final class QueueCodec {

    public static final byte VERSION = 3;
    /** Where {@code ts} (a little-endian long) lies in every record, for readers that need only it. */
    public static final int TS_OFFSET = 2;
    /** The format before event ids and corrections; still read, never written. */
    static final byte VERSION_WITHOUT_IDS = 2;
    /** The format before the checksum; still read, never written. */
    static final byte VERSION_UNCHECKED = 1;
    private static final int CHECKSUM_BYTES = 4;
    private static final byte KIND_TICK = 1;
    private static final byte KIND_SCORE = 2;
    private static final MatchStatus[] STATUSES = MatchStatus.values();
    private static final ScoreEvent.Kind[] EVENT_KINDS = ScoreEvent.Kind.values();
    private static final ScoreEvent.Side[] SIDES = ScoreEvent.Side.values();

    private QueueCodec() {
    }

    /** Appends {@code message} to {@code out} at its write position. */
    public static void write(FeedMessage message, Bytes<?> out) {
        long start = out.writePosition();
        out.writeByte(VERSION);
        if (message instanceof Tick t) {
            out.writeByte(KIND_TICK);
            out.writeLong(t.ts());
            out.writeUtf8(t.symbol());
            out.writeDouble(t.bid());
            out.writeDouble(t.ask());
            out.writeDouble(t.last());
            out.writeStopBit(t.size());
            out.writeStopBit(t.volume());
        } else if (message instanceof Score s) {
            out.writeByte(KIND_SCORE);
            out.writeLong(s.ts());
            out.writeUtf8(s.sport());
            out.writeUtf8(s.match());
            out.writeUtf8(s.home());
            out.writeUtf8(s.away());
            out.writeStopBit(s.homeScore());
            out.writeStopBit(s.awayScore());
            out.writeStopBit(s.clockSeconds());
            out.writeByte((byte) s.status().ordinal());
            ScoreEvent e = s.event();
            if (e == null) {
                out.writeByte((byte) 0);
            } else {
                out.writeByte((byte) (e.kind().ordinal() + 1));
                out.writeStopBit(e.minute());
                out.writeByte((byte) (e.team() == null ? 0 : e.team().ordinal() + 1));
                out.writeUtf8(e.player() == null ? "" : e.player());
                out.writeUtf8(e.detail() == null ? "" : e.detail());
                out.writeUtf8(e.id() == null ? "" : e.id());
                if (e.kind() == ScoreEvent.Kind.CORRECTION) {
                    out.writeUtf8(e.retracts());
                    out.writeUtf8(e.reason());
                }
            }
        }
        // read back from where it was stored: a byte that never reached the file cannot match
        out.writeInt(crc32c(out, start, out.writePosition()));
    }

    private static int crc32c(Bytes<?> bytes, long from, long to) {
        CRC32C crc = new CRC32C();
        for (long i = from; i < to; i++) {
            crc.update(bytes.readUnsignedByte(i));
        }
        return (int) crc.getValue();
    }

    /**
     * Reads one record: the bytes of {@code in} from its read position to its read limit.
     *
     * @throws IllegalArgumentException when the record is of an unknown version or kind, damaged
     *         (its checksum does not match) or longer than its content
     */
    public static FeedMessage read(Bytes<?> in) {
        long start = in.readPosition();
        long end = in.readLimit();
        byte version = in.readByte();
        if (version == VERSION_UNCHECKED) {
            return readBody(in, version);
        }
        if (version != VERSION && version != VERSION_WITHOUT_IDS) {
            throw new IllegalArgumentException("unknown record version " + version);
        }
        long body = end - CHECKSUM_BYTES;
        if (body <= start || in.readInt(body) != crc32c(in, start, body)) {
            throw new IllegalArgumentException("damaged record: its checksum does not match (a torn write?)");
        }
        FeedMessage m;
        in.readLimit(body);
        try {
            m = readBody(in, version);
        } finally {
            in.readLimit(end);
        }
        if (in.readPosition() != body) {
            throw new IllegalArgumentException("damaged record: " + (body - in.readPosition()) + " bytes left over");
        }
        in.readPosition(end);
        return m;
    }

    private static FeedMessage readBody(Bytes<?> in, byte version) {
        byte kind = in.readByte();
        long ts = in.readLong();
        return switch (kind) {
            case KIND_TICK -> new Tick(ts, in.readUtf8(), in.readDouble(), in.readDouble(), in.readDouble(),
                    in.readStopBit(), in.readStopBit());
            case KIND_SCORE -> readScore(ts, in, version);
            default -> throw new IllegalArgumentException("unknown record kind " + kind);
        };
    }

    private static Score readScore(long ts, Bytes<?> in, byte version) {
        String sport = in.readUtf8();
        String match = in.readUtf8();
        String home = in.readUtf8();
        String away = in.readUtf8();
        int homeScore = (int) in.readStopBit();
        int awayScore = (int) in.readStopBit();
        int clock = (int) in.readStopBit();
        int statusByte = in.readByte();
        if (statusByte < 0 || statusByte >= STATUSES.length) {
            throw new IllegalArgumentException("unknown match status " + statusByte);
        }
        MatchStatus status = STATUSES[statusByte];
        int eventKind = in.readByte();
        ScoreEvent event = null;
        if (eventKind != 0) {
            boolean ids = version >= VERSION;
            if (eventKind < 0 || eventKind > EVENT_KINDS.length
                    || (!ids && EVENT_KINDS[eventKind - 1] == ScoreEvent.Kind.CORRECTION)) {
                throw new IllegalArgumentException("unknown event kind " + eventKind + " in a record of version "
                        + version);
            }
            ScoreEvent.Kind kind = EVENT_KINDS[eventKind - 1];
            int minute = (int) in.readStopBit();
            int side = in.readByte();
            if (side < 0 || side > SIDES.length) {
                throw new IllegalArgumentException("unknown side " + side);
            }
            String player = optional(in);
            String detail = optional(in);
            String id = ids ? optional(in) : null;
            String retracts = null;
            String reason = null;
            if (kind == ScoreEvent.Kind.CORRECTION) {
                retracts = optional(in);
                reason = optional(in);
            }
            // a correction without retracts or reason is refused by ScoreEvent, as IllegalArgumentException
            event = new ScoreEvent(id, kind, minute, side == 0 ? null : SIDES[side - 1], player, detail, retracts,
                    reason);
        }
        return new Score(ts, sport, match, home, away, homeScore, awayScore, clock, status, event);
    }

    /** A string written as {@code ""} for none: {@code null} for that. */
    private static String optional(Bytes<?> in) {
        String s = in.readUtf8();
        return s == null || s.isEmpty() ? null : s;
    }
}
