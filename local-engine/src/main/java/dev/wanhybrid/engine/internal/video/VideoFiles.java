package dev.wanhybrid.engine.internal.video;

import dev.wanhybrid.engine.internal.torch.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Writing decoded video to MP4 as both engines do, and cleaning up after a failed or cancelled run. */
public final class VideoFiles {

    private VideoFiles() {}

    /**
     * Writes {@code [3, T, H, W]} video in [-1, 1] as the official {@code cache_video}: {@code (x+1)/2*255}
     * truncated to uint8; a cancellation between frames deletes the partial file.
     */
    public static void writeMp4(Tensor video, Path file, int fps, Map<String, String> metadata)
            throws IOException, InterruptedException {
        long frames = video.size(1);
        int height = (int) video.size(2);
        int width = (int) video.size(3);
        Tensor bytes = Torch.clamp(video.add(Torch.s(1)).div(Torch.s(2)), 0, 1).mul(Torch.s(255))
                .to(ScalarType.Byte).permute(1, 2, 3, 0).contiguous();
        BytePointer data = new BytePointer(bytes.data_ptr());
        byte[] frame = new byte[width * height * 3];
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (Mp4Writer writer = Mp4Writer.open(file, width, height, fps, metadata)) {
            for (long f = 0; f < frames; f++) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("generation cancelled while writing the video");
                }
                data.position(f * frame.length).get(frame);
                writer.writeRgb(frame);
            }
        } catch (InterruptedException e) {
            deletePartial(file);
            throw e;
        }
    }

    /** Deletes a partly written output; the failure that caused it is what the caller reports. */
    public static void deletePartial(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // The original failure is what the caller needs to see.
        }
    }

    /** The first line of a run-time failure, naming out-of-memory and write failures as such. */
    public static String describe(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        String first = newline > 0 ? message.substring(0, newline) : message;
        if (message.contains("out of memory")) {
            return "the device ran out of memory: " + first;
        }
        return (e instanceof IOException ? "writing the video failed: " : "generation failed on the device: ") + first;
    }
}
