"""The entities that can be imported and exported, by the names the CLI and the job records use."""

from django.db import models
from django.utils.module_loading import import_string

from rentalbridge.imports.bulk_resource import BulkModelResource

RESOURCES = {
    "customers": "customers.resources.CustomerResource",
    "contacts": "customers.resources.CustomerContactResource",
    "depots": "assets.resources.DepotResource",
    "assets": "assets.resources.AssetResource",
    "contracts": "contracts.resources.ContractResource",
    "contract-items": "contracts.resources.ContractItemResource",
    "custom-field-definitions": "rentalbridge.customfields.resources.CustomFieldDefinitionResource",
    "custom-field-values": "rentalbridge.customfields.resources.CustomFieldValueResource",
}
ENTITIES = tuple(RESOURCES)


class UnknownEntity(KeyError):
    def __str__(self) -> str:
        return f"Unknown entity {self.args[0]!r}; choose one of: {', '.join(ENTITIES)}"


def resource_class(entity: str) -> type[BulkModelResource]:
    try:
        return import_string(RESOURCES[entity])
    except KeyError:
        raise UnknownEntity(entity) from None


def resource_for(entity: str) -> BulkModelResource:
    return resource_class(entity)()


def entity_for_model(model: type[models.Model]) -> str:
    for entity in ENTITIES:
        if resource_class(entity)._meta.model is model:
            return entity
    raise UnknownEntity(model._meta.label)
