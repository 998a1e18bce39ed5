# The cart, moved here from kvote.ordering (issue 12) with its tables and rows as they were:
# the models keep db_table ordering_cart and ordering_cartline, so nothing is created or copied.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ("cart", "cartline")


def _relabel(apps, from_label, to_label):
    """Content types (and so permissions and admin log entries) follow the models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=to_label, model=model).exists():
            ContentType.objects.filter(app_label=from_label, model=model).update(
                app_label=to_label
            )


def move_content_types(apps, schema_editor):
    _relabel(apps, "ordering", "checkout")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, "checkout", "ordering")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalog', '0002_initial'),
        ('companies', '0004_org_number_checksum'),
        ('people', '0001_initial'),
        ('ordering', '0005_cart_moves_to_checkout'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='Cart',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('use_one_off_address', models.BooleanField(default=False, verbose_name='one-off address')),
                ('one_off_name', models.CharField(blank=True, max_length=200, verbose_name='attention')),
                ('one_off_street', models.CharField(blank=True, max_length=200, verbose_name='street address')),
                ('one_off_postal_code', models.CharField(blank=True, max_length=4, verbose_name='postal code')),
                ('one_off_city', models.CharField(blank=True, max_length=100, verbose_name='city')),
                ('customer_reference', models.CharField(blank=True, max_length=100, verbose_name='your reference')),
                ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='companies.company')),
                ('delivery_address', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='companies.deliveryaddress', verbose_name='delivery address')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='cart', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'cart',
                'verbose_name_plural': 'carts',
                'db_table': 'ordering_cart',
            },
        ),
        migrations.CreateModel(
            name='CartLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('quantity', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(999)], verbose_name='quantity')),
                ('cart', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='checkout.cart')),
                ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='companies.company')),
                ('recipient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='people.employee', verbose_name='recipient')),
                ('variant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.variant', verbose_name='variant')),
            ],
            options={
                'db_table': 'ordering_cartline',
                'ordering': ['created_at', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('quantity__gte', 1), ('quantity__lte', 999)), name='cart_line_quantity_range')],
            },
        ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
