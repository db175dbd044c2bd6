package dev.wanhybrid.gateway.dashscope;

import com.alibaba.dashscope.utils.Constants;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * What the facade's end-to-end tests share: a gateway on a random port with fast job ticks, the DashScope simulator
 * in-process behind its cloud backend, one tenant whose key is {@link #KEY}, a fresh results folder, and the
 * official SDK pointed at the gateway. A subclass adds {@code @SpringBootTest} with its own database name.
 */
@TestPropertySource(properties = {
    "gateway.jobs.tick=40ms", "gateway.jobs.poll-min=50ms", "gateway.jobs.poll-max=200ms",
    "gateway.jobs.reconcile-interval=100ms", "gateway.jobs.retry-interval=100ms",
    "gateway.cloud.simulator.enabled=true", "gateway.cloud.simulator.pending-for=200ms",
    "gateway.cloud.simulator.running-for=500ms",
    // A slow CI machine must not turn a local wait for a task slot into a refusal.
    "gateway.cloud.permit-wait=40s",
    "gateway.tenants[0].id=facade",
    "gateway.tenants[0].api-key-sha256=71154eb1d8e07f2838aa16a319aa6842327027df8b0f9d703c14914e5ffda986",
    "gateway.tenants[0].rate-limit.limit=100000",
})
abstract class FacadeOnSimulator {

    static final String KEY = "sk-facade-test";

    @LocalServerPort
    int port;

    @Autowired
    DashScopeSimulator simulator;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) throws Exception {
        Path results = Files.createTempDirectory("facade-results");
        registry.add("gateway.storage.local.root", results::toString);
    }

    @BeforeEach
    void pointTheSdkAtTheGateway() {
        Constants.baseHttpApiUrl = "http://127.0.0.1:" + port + "/api/v1";
    }
}
