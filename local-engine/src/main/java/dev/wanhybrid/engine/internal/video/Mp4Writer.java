package dev.wanhybrid.engine.internal.video;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Writes RGB frames as an H.264 MP4 through JavaCPP's FFmpeg preset.
 *
 * <p>The preset's FFmpeg is an LGPL build without libx264; its H.264 encoder is Cisco's {@code libopenh264}.
 * The writer prefers {@code libx264} when a build has it, then {@code libopenh264}, and falls back to MPEG-4
 * Part 2 ({@code mpeg4}) so a file is always written.
 */
public final class Mp4Writer implements AutoCloseable {

    /** Encoders tried in order. */
    public static final List<String> ENCODERS = List.of("libx264", "libopenh264", "mpeg4");

    private static final int EAGAIN = -11;

    private final int width;
    private final int height;
    private final String encoder;
    private final AVFormatContext format;
    private final AVCodecContext codec;
    private final AVStream stream;
    private final AVFrame frame;
    private final AVPacket packet;
    private final SwsContext scaler;
    private long frames;
    private boolean closed;

    private Mp4Writer(int width, int height, String encoder, AVFormatContext format, AVCodecContext codec,
            AVStream stream, AVFrame frame, AVPacket packet, SwsContext scaler) {
        this.width = width;
        this.height = height;
        this.encoder = encoder;
        this.format = format;
        this.codec = codec;
        this.stream = stream;
        this.frame = frame;
        this.packet = packet;
        this.scaler = scaler;
    }

    /** Opens {@code file} for {@code width x height} frames (both even) at {@code fps}. */
    public static Mp4Writer open(Path file, int width, int height, int fps) throws IOException {
        return open(file, width, height, fps, java.util.Map.of());
    }

    /** As {@link #open(Path, int, int, int)}, with container metadata such as {@code comment}. */
    public static Mp4Writer open(Path file, int width, int height, int fps, java.util.Map<String, String> metadata)
            throws IOException {
        if (width % 2 != 0 || height % 2 != 0 || width <= 0 || height <= 0) {
            throw new IllegalArgumentException("H.264 in 4:2:0 needs even sizes, got " + width + "x" + height);
        }
        av_log_set_level(AV_LOG_ERROR);
        AVCodec found = null;
        String name = null;
        for (String candidate : ENCODERS) {
            found = avcodec_find_encoder_by_name(candidate);
            if (found != null && !found.isNull()) {
                name = candidate;
                break;
            }
        }
        if (name == null) {
            throw new IOException("this FFmpeg build has none of the encoders " + ENCODERS);
        }
        AVFormatContext format = new AVFormatContext(null);
        check(avformat_alloc_output_context2(format, null, "mp4", file.toString()), "allocate mp4 muxer");
        AVCodecContext codec = avcodec_alloc_context3(found);
        codec.codec_id(found.id());
        codec.width(width);
        codec.height(height);
        codec.pix_fmt(AV_PIX_FMT_YUV420P);
        codec.time_base(av_make_q(1, fps));
        codec.framerate(av_make_q(fps, 1));
        codec.gop_size(fps);
        codec.max_b_frames(0);
        // About 0.2 bits per pixel per frame: visually clean for generated video, small files.
        codec.bit_rate(Math.max(400_000L, (long) (0.2 * width * height * fps)));
        if ((format.oformat().flags() & AVFMT_GLOBALHEADER) != 0) {
            codec.flags(codec.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        check(avcodec_open2(codec, found, (AVDictionary) null), "open encoder " + name);
        AVStream stream = avformat_new_stream(format, null);
        check(avcodec_parameters_from_context(stream.codecpar(), codec), "copy codec parameters");
        stream.time_base(codec.time_base());
        stream.avg_frame_rate(av_make_q(fps, 1));
        AVIOContext io = new AVIOContext(null);
        check(avio_open(io, file.toString(), AVIO_FLAG_WRITE), "open " + file);
        format.pb(io);
        if (!metadata.isEmpty()) {
            AVDictionary tags = new AVDictionary(null);
            for (var e : new java.util.TreeMap<>(metadata).entrySet()) {
                org.bytedeco.ffmpeg.global.avutil.av_dict_set(tags, e.getKey(), e.getValue(), 0);
            }
            format.metadata(tags);
        }
        check(avformat_write_header(format, (AVDictionary) null), "write mp4 header");
        AVFrame frame = av_frame_alloc();
        frame.format(AV_PIX_FMT_YUV420P);
        frame.width(width);
        frame.height(height);
        check(av_frame_get_buffer(frame, 0), "allocate frame");
        SwsContext scaler = sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, AV_PIX_FMT_YUV420P,
                SWS_BICUBIC, null, null, (DoublePointer) null);
        return new Mp4Writer(width, height, name, format, codec, stream, frame, av_packet_alloc(), scaler);
    }

    /** The encoder in use, such as {@code libopenh264}. */
    public String encoder() {
        return encoder;
    }

    /** Appends one frame of packed RGB24 bytes ({@code width * height * 3}). */
    public void writeRgb(byte[] rgb) throws IOException {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + width * height * 3 + " RGB bytes, got " + rgb.length);
        }
        check(av_frame_make_writable(frame), "make frame writable");
        // swscale reads four plane pointers and strides even for packed input.
        try (BytePointer source = new BytePointer(rgb);
                PointerPointer<?> planes = new PointerPointer<>(4L).put(0, source);
                IntPointer strides = new IntPointer(new int[] {3 * width, 0, 0, 0})) {
            sws_scale(scaler, planes, strides, 0, height, frame.data(), frame.linesize());
        }
        frame.pts(frames++);
        encode(frame);
    }

    private void encode(AVFrame input) throws IOException {
        check(avcodec_send_frame(codec, input), "send frame to encoder");
        while (true) {
            int status = avcodec_receive_packet(codec, packet);
            if (status == EAGAIN || status == AVERROR_EOF) {
                return;
            }
            check(status, "encode frame");
            av_packet_rescale_ts(packet, codec.time_base(), stream.time_base());
            packet.stream_index(stream.index());
            int written = av_interleaved_write_frame(format, packet);
            av_packet_unref(packet);
            check(written, "write packet");
        }
    }

    /** Flushes the encoder, writes the index and closes the file. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            encode(null);
            check(av_write_trailer(format), "write mp4 trailer");
        } finally {
            avio_closep(format.pb());
            sws_freeContext(scaler);
            av_frame_free(frame);
            av_packet_free(packet);
            avcodec_free_context(codec);
            avformat_free_context(format);
        }
    }

    private static void check(int status, String what) throws IOException {
        if (status < 0) {
            byte[] text = new byte[256];
            av_strerror(status, text, text.length);
            String message = new String(text, java.nio.charset.StandardCharsets.US_ASCII).trim();
            int nul = message.indexOf('\0');
            throw new IOException("FFmpeg could not " + what + ": " + (nul >= 0 ? message.substring(0, nul) : message)
                    + " (" + status + ")");
        }
    }
}
