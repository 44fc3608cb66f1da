import type { PlanSource } from '../plan/model';

// Resource types that hold data: destroying or replacing one loses it. Per plan source, because each tool
// names types its own way (Terraform `aws_db_instance`, Pulumi `aws:rds/instance:Instance`, Kubernetes kinds).

export const STATEFUL_TYPES: Record<PlanSource, readonly string[]> = {
  terraform: [
    'aws_db_instance',
    'aws_rds_cluster',
    'aws_rds_cluster_instance',
    'aws_dynamodb_table',
    'aws_s3_bucket',
    'aws_ebs_volume',
    'aws_efs_file_system',
    'aws_elasticache_cluster',
    'aws_elasticache_replication_group',
    'aws_docdb_cluster',
    'aws_neptune_cluster',
    'aws_redshift_cluster',
    'google_sql_database_instance',
    'google_sql_database',
    'google_storage_bucket',
    'google_compute_disk',
    'google_spanner_instance',
    'google_bigtable_instance',
    'azurerm_postgresql_flexible_server',
    'azurerm_mysql_flexible_server',
    'azurerm_mssql_database',
    'azurerm_storage_account',
    'azurerm_managed_disk',
    'fly_volume',
    'kubernetes_persistent_volume_claim',
    'kubernetes_persistent_volume_claim_v1',
    'kubernetes_persistent_volume',
    'kubernetes_persistent_volume_v1',
    'kubernetes_stateful_set',
    'kubernetes_stateful_set_v1',
  ],
  pulumi: [
    'aws:rds/instance:Instance',
    'aws:rds/cluster:Cluster',
    'aws:rds/clusterInstance:ClusterInstance',
    'aws:dynamodb/table:Table',
    'aws:s3/bucket:Bucket',
    'aws:s3/bucketV2:BucketV2',
    'aws:ebs/volume:Volume',
    'aws:efs/fileSystem:FileSystem',
    'gcp:sql/databaseInstance:DatabaseInstance',
    'gcp:sql/database:Database',
    'gcp:storage/bucket:Bucket',
    'gcp:compute/disk:Disk',
    'fly:index/volume:Volume',
    'kubernetes:core/v1:PersistentVolumeClaim',
    'kubernetes:core/v1:PersistentVolume',
    'kubernetes:apps/v1:StatefulSet',
  ],
  // The Kubernetes plan's type is `<apiVersion>/<Kind>`: the kind decides.
  kubernetes: ['PersistentVolumeClaim', 'PersistentVolume', 'StatefulSet'],
};

export function isStateful(source: PlanSource, type: string): boolean {
  const name = source === 'kubernetes' ? type.slice(type.lastIndexOf('/') + 1) : type;
  return STATEFUL_TYPES[source].includes(name);
}
