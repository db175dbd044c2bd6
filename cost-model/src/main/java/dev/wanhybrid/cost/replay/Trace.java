package dev.wanhybrid.cost.replay;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads and writes workload traces as CSV with the header
 * {@code arrival,kind,size,seconds,audio,deadline_seconds,tenant}, e.g.
 * {@code 2026-10-01T08:00:03Z,t2v,832x480,5,false,3600,acme}. Fields hold no commas, so no quoting is needed.
 * Traces written with the older header ({@code deadline_s} for the fifth column) are read too.
 */
public final class Trace {

    public static final String HEADER = "arrival,kind,size,seconds,audio,deadline_seconds,tenant";

    /** The header of traces written before the deadline column was renamed; still read. */
    public static final String OLD_HEADER = "arrival,kind,size,seconds,audio,deadline_s,tenant";

    private Trace() {}

    /** Reads a trace, sorted by arrival; a bad line fails with its line number and the field at fault. */
    public static List<TraceJob> read(Path file) throws IOException {
        List<TraceJob> jobs = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null || !(header.trim().equals(HEADER) || header.trim().equals(OLD_HEADER))) {
                throw new IllegalArgumentException(file + ": the first line must be '" + HEADER + "'");
            }
            String line;
            int number = 1;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                jobs.add(parse(line, file + ":" + number));
            }
        }
        jobs.sort(Comparator.comparing(TraceJob::arrival));
        return jobs;
    }

    static TraceJob parse(String line, String where) {
        String[] f = line.split(",", -1);
        if (f.length != 7) {
            throw new IllegalArgumentException(where + ": expected 7 fields, found " + f.length);
        }
        Instant arrival;
        try {
            arrival = Instant.parse(f[0].trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + ": arrival must be an ISO-8601 instant, was '" + f[0] + "'");
        }
        String[] size = f[2].trim().split("[x*]");
        if (size.length != 2) {
            throw new IllegalArgumentException(where + ": size must look like 832x480, was '" + f[2] + "'");
        }
        try {
            String audio = f[4].trim();
            if (!audio.equals("true") && !audio.equals("false")) {
                throw new IllegalArgumentException(where + ": audio must be true or false, was '" + audio + "'");
            }
            return new TraceJob(arrival, f[1].trim(), Integer.parseInt(size[0]), Integer.parseInt(size[1]),
                    Integer.parseInt(f[3].trim()), Boolean.parseBoolean(audio),
                    Duration.ofSeconds(Long.parseLong(f[5].trim())), f[6].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": size, seconds and deadline_seconds must be whole numbers");
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(where) ? e
                    : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path file, List<TraceJob> jobs) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(HEADER);
            out.newLine();
            for (TraceJob j : jobs) {
                out.write(j.arrival() + "," + j.kind() + "," + j.width() + "x" + j.height() + "," + j.seconds() + ","
                        + j.audio() + "," + j.deadline().toSeconds() + "," + j.tenant());
                out.newLine();
            }
        }
    }
}
