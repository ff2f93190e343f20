// Manage Seam access-control (ACS) access group memberships as code: the native `seam` provider of pulumi-seam-acs, built from the same code as its Node.js dynamic provider.
package seam
