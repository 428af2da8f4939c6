"""billing: tariffs by activity and quotient familial, monthly invoices and
their lines, the invoice statuses."""
