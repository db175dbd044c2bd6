package dev.wanhybrid.gateway.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors raised outside any controller, in the path's protocol shape: Tomcat's own refusals (through
 * {@link ContainerErrorReportValve}) and the servlet container's error dispatches (through {@link ShapedErrors},
 * which replaces Spring Boot's HTML/JSON {@code /error} page).
 */
@Configuration(proxyBeanMethods = false)
class ErrorShapeConfiguration {

    /** Runs after Spring Boot's own customizer, which adds a plain {@link ErrorReportValve} to the host. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> protocolErrorReportValve() {
        return new WebServerFactoryCustomizer<>() {
            @Override
            public void customize(TomcatServletWebServerFactory factory) {
                factory.addContextCustomizers(context -> {
                    Container parent = context.getParent();
                    if (parent instanceof StandardHost host) {
                        host.setErrorReportValveClass(ContainerErrorReportValve.class.getName());
                    }
                    if (parent != null) {
                        for (Valve valve : parent.getPipeline().getValves()) {
                            if (valve instanceof ErrorReportValve && !(valve instanceof ContainerErrorReportValve)) {
                                parent.getPipeline().removeValve(valve);
                            }
                        }
                        parent.getPipeline().addValve(new ContainerErrorReportValve());
                    }
                });
            }

            @Override
            public String toString() {
                return "protocol-shaped container errors";
            }
        };
    }

    /** The {@code /error} dispatch target: the original request's status, in its path's protocol shape. */
    @RestController
    static class ShapedErrors implements ErrorController, Ordered {

        @RequestMapping("${server.error.path:${error.path:/error}}")
        ResponseEntity<Object> error(HttpServletRequest request) {
            Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
            int status = code instanceof Integer i ? i : 500;
            Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
            String path = uri == null ? request.getRequestURI() : uri.toString();
            String context = request.getContextPath();
            if (context != null && !context.isEmpty() && path.startsWith(context)) {
                path = path.substring(context.length());
            }
            Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
            String detail = status == 405 || status == 401 || status == 403
                    ? (message == null ? null : ApiError.printable(message.toString())) : null;
            return ProtocolErrors.entity(ProtocolErrors.forStatus(status, detail), path);
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
