package dev.wanhybrid.cloud;

import dev.wanhybrid.cost.price.DashScopePriceList;
import java.net.URI;
import java.util.Locale;

/** A DashScope region: model, endpoint and key must all belong to the same one. */
public enum Region {
    /** Singapore, priced in USD. */
    INTERNATIONAL("https://dashscope-intl.aliyuncs.com/api/v1"),
    /** Beijing, priced in CNY; some models carry other names there ({@code wanx2.1-*}). */
    MAINLAND("https://dashscope.aliyuncs.com/api/v1"),
    /** Virginia; priced like {@link #INTERNATIONAL} until Alibaba publishes its own table. */
    US("https://dashscope-us.aliyuncs.com/api/v1");

    private final URI baseUrl;

    Region(String baseUrl) {
        this.baseUrl = URI.create(baseUrl);
    }

    /** The public API root, ending in {@code /api/v1}. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** The price list this region is billed by ({@link #US} by the international one). */
    public DashScopePriceList priceList() {
        return this == MAINLAND ? DashScopePriceList.MAINLAND : DashScopePriceList.INTERNATIONAL;
    }

    /** Parses {@code intl}, {@code international}, {@code singapore}, {@code mainland}, {@code cn}, {@code us}. */
    public static Region parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("region is missing; use international, mainland or us");
        }
        return switch (text.strip().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "intl", "international", "singapore", "ap-southeast-1" -> INTERNATIONAL;
            case "mainland", "cn", "china", "beijing", "cn-beijing" -> MAINLAND;
            case "us", "virginia", "us-east-1" -> US;
            default -> throw new IllegalArgumentException(
                    "unknown region '" + text + "'; use international, mainland or us");
        };
    }
}
