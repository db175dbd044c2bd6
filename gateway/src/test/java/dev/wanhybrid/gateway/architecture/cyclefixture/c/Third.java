package dev.wanhybrid.gateway.architecture.cyclefixture.c;

/** Test fixture: closes the cycle back to package {@code a} (the reference is resolved by class name). */
public class Third {
    public Object back() {
        return new dev.wanhybrid.gateway.architecture.cyclefixture.a.First();
    }
}
