package dev.wanhybrid.engine.internal.video;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;

import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Reads an MP4 back with FFmpeg's demuxer and decoder: what a player would see.
 *
 * @param width decoded frame width
 * @param height decoded frame height
 * @param frames frames actually decoded
 * @param fps the stream's average frame rate
 * @param codec the stream's codec name, such as {@code h264}
 */
public record Mp4Probe(int width, int height, int frames, double fps, String codec) {

    private static final int EAGAIN = -11;

    /** Demuxes and decodes every frame of the first video stream of {@code file}. */
    public static Mp4Probe read(Path file) throws IOException {
        AVFormatContext format = new AVFormatContext(null);
        if (avformat_open_input(format, file.toString(), null, (AVDictionary) null) < 0) {
            throw new IOException("FFmpeg cannot open " + file);
        }
        AVCodecContext decoder = null;
        AVPacket packet = av_packet_alloc();
        AVFrame frame = av_frame_alloc();
        try {
            if (avformat_find_stream_info(format, (PointerPointer<?>) null) < 0) {
                throw new IOException("no stream information in " + file);
            }
            AVStream video = null;
            for (int i = 0; i < format.nb_streams(); i++) {
                AVStream s = format.streams(i);
                if (s.codecpar().codec_type() == AVMEDIA_TYPE_VIDEO) {
                    video = s;
                    break;
                }
            }
            if (video == null) {
                throw new IOException("no video stream in " + file);
            }
            var codec = avcodec_find_decoder(video.codecpar().codec_id());
            decoder = avcodec_alloc_context3(codec);
            avcodec_parameters_to_context(decoder, video.codecpar());
            if (avcodec_open2(decoder, codec, (AVDictionary) null) < 0) {
                throw new IOException("cannot open the decoder for " + file);
            }
            int decoded = 0;
            while (av_read_frame(format, packet) >= 0) {
                if (packet.stream_index() == video.index()) {
                    avcodec_send_packet(decoder, packet);
                    decoded += drain(decoder, frame);
                }
                av_packet_unref(packet);
            }
            avcodec_send_packet(decoder, null);
            decoded += drain(decoder, frame);
            var rate = video.avg_frame_rate();
            double fps = rate.den() == 0 ? 0 : (double) rate.num() / rate.den();
            return new Mp4Probe(decoder.width(), decoder.height(), decoded, fps,
                    avcodec_get_name(video.codecpar().codec_id()).getString());
        } finally {
            av_frame_free(frame);
            av_packet_free(packet);
            if (decoder != null) {
                avcodec_free_context(decoder);
            }
            avformat_close_input(format);
        }
    }

    private static int drain(AVCodecContext decoder, AVFrame frame) {
        int count = 0;
        while (true) {
            int status = avcodec_receive_frame(decoder, frame);
            if (status == EAGAIN || status < 0) {
                return count;
            }
            count++;
        }
    }
}
