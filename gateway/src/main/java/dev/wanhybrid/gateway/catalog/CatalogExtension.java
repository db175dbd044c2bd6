package dev.wanhybrid.gateway.catalog;

import java.util.List;

/**
 * Models another part of the configuration adds to the catalog (the remote engines' models, each on its own
 * backend; the further cloud sources' copies of the configured cloud models); an id may repeat a catalog id only
 * as another cloud source of a cloud model.
 */
@FunctionalInterface
public interface CatalogExtension {

    List<CatalogModel> models();

    /** The models to add, given the configured catalog (which a further cloud source offers again). */
    default List<CatalogModel> models(ModelCatalog configured) {
        return models();
    }
}
