package dev.wanhybrid.gateway.web;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's error report for requests it refuses before any servlet runs (a malformed URL or percent-escape, an
 * encoded slash, headers over the size limit), written in the path's protocol shape instead of Tomcat's HTML page.
 * It replaces the host's {@link ErrorReportValve}, and like it answers only when nothing was written yet.
 */
final class ContainerErrorReportValve extends ErrorReportValve {

    ContainerErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        String path = rawPath(request);
        ApiException error = ProtocolErrors.forStatus(status, null);
        try {
            response.setContentType(ProtocolErrors.Protocol.of(path) == ProtocolErrors.Protocol.OTHER
                    ? "application/problem+json" : "application/json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(ProtocolErrors.json(error, ProtocolErrors.Protocol.of(path)));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The client is gone or the response was closed meanwhile: nothing left to tell anyone.
        }
    }

    /** The request line's path as received; the decoded form may not exist when decoding is what failed. */
    private static String rawPath(Request request) {
        try {
            String uri = request.getCoyoteRequest().requestURI().toString();
            return uri == null ? "" : uri;
        } catch (RuntimeException e) {
            return "";
        }
    }
}
