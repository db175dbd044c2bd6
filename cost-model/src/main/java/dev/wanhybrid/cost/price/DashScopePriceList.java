package dev.wanhybrid.cost.price;

/**
 * The DashScope list prices this module ships, one dated table each, read with
 * {@link PriceTableLoader#dashScope(DashScopePriceList)}: the project's only copy of them.
 */
public enum DashScopePriceList {
    /** Singapore, in USD; the US (Virginia) region is billed by this list too. */
    INTERNATIONAL("dashscope-international.yaml"),
    /** Beijing, in CNY. */
    MAINLAND("dashscope-mainland.yaml");

    private final String fileName;

    DashScopePriceList(String fileName) {
        this.fileName = fileName;
    }

    /** The classpath location of the list, e.g. {@code /dev/wanhybrid/cost/price/dashscope-international.yaml}. */
    public String resource() {
        return "/dev/wanhybrid/cost/price/" + fileName;
    }
}
