package dev.wanhybrid.gateway.architecture.cyclefixture.b;

import dev.wanhybrid.gateway.architecture.cyclefixture.c.Third;

/** Test fixture: the middle of a deliberate package cycle. */
public class Second {
    public Third next() {
        return new Third();
    }
}
