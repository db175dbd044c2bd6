package dev.wanhybrid.gateway.architecture.cyclefixture.a;

import dev.wanhybrid.gateway.architecture.cyclefixture.b.Second;

/** Test fixture: one end of a deliberate package cycle. */
public class First {
    public Second next() {
        return new Second();
    }
}
