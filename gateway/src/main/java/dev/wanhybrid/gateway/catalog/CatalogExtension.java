package dev.wanhybrid.gateway.catalog;

import java.util.List;

/**
 * Models another part of the configuration adds to the catalog (the remote engines' models, each on its own
 * backend); their ids must not repeat a catalog id.
 */
@FunctionalInterface
public interface CatalogExtension {

    List<CatalogModel> models();
}
